package dev.gatehouse.authn.basic;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One immutable reading of an htpasswd file: user name to password hash, plus the decoy hash that unknown users are
 * checked against so that they cost as much as known ones.
 *
 * <p>Lines are {@code user:hash}; blank lines and lines starting with {@code #} are skipped. A file with an unsupported
 * format, a duplicate user or a malformed line is refused as a whole, with the line number in the message: a reload
 * must never half-apply a file.
 */
final class HtpasswdFile {

  /** Far beyond any real htpasswd file; bounds the memory a corrupt or hostile file can take. */
  static final long MAX_FILE_BYTES = 16L << 20;

  private final Map<String, PasswordHash> users;
  private final PasswordHash decoy;

  private HtpasswdFile(Map<String, PasswordHash> users, PasswordHash decoy) {
    this.users = users;
    this.decoy = decoy;
  }

  /**
   * Reads and parses a file.
   *
   * @throws IOException if it cannot be read
   * @throws IllegalArgumentException if its content is unusable, with a line number
   */
  static HtpasswdFile read(Path path) throws IOException {
    long size = Files.size(path);
    if (size > MAX_FILE_BYTES) {
      throw new IllegalArgumentException("file is larger than " + MAX_FILE_BYTES + " bytes");
    }
    byte[] bytes = Files.readAllBytes(path);
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("file is not valid UTF-8");
    }
    return parse(text);
  }

  static HtpasswdFile parse(String text) {
    Map<String, PasswordHash> users = new HashMap<>();
    PasswordHash decoy = null;
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      if (line.isBlank() || line.stripLeading().startsWith("#")) {
        continue;
      }
      int lineNumber = i + 1;
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("line " + lineNumber + ": expected user:hash");
      }
      String user = line.substring(0, colon);
      String field = line.substring(colon + 1).strip();
      PasswordHash hash;
      try {
        hash = PasswordHash.parse(field);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("line " + lineNumber + " (user " + user + "): " + e.getMessage());
      }
      if (users.putIfAbsent(user, hash) != null) {
        throw new IllegalArgumentException("line " + lineNumber + ": duplicate user " + user);
      }
      if (decoy == null || hash.workFactor() > decoy.workFactor()) {
        decoy = hash;
      }
    }
    if (decoy == null) {
      // An empty file lets nobody in; the decoy keeps the unknown-user path uniform all the same.
      decoy = PasswordHash.parse(EMPTY_FILE_DECOY);
    }
    return new HtpasswdFile(Collections.unmodifiableMap(users), decoy);
  }

  /** A bcrypt hash of a random password nobody knows, cost 10 (htpasswd's default). */
  private static final String EMPTY_FILE_DECOY = "$2y$10$yPdyKOAPqzJHWadpCH7.Fev9BVmG5vnN5f3xYiKRTFA6qnItEfycy";

  Optional<PasswordHash> hashOf(String user) {
    return Optional.ofNullable(users.get(user));
  }

  /**
   * The most expensive hash in the file. Checking an unknown user's password against it takes as long as checking a
   * known user's, so response times do not reveal which user names exist.
   */
  PasswordHash decoy() {
    return decoy;
  }

  int size() {
    return users.size();
  }
}
