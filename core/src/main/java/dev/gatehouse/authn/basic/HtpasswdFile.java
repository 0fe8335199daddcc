package dev.gatehouse.authn.basic;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import dev.gatehouse.internal.LogText;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One immutable reading of an htpasswd file: user name to password hash, plus the decoy hash that unknown users are
 * checked against so that they cost as much as known ones.
 *
 * <p>Lines are {@code user:hash}; blank lines and lines starting with {@code #} are skipped. A file with an unsupported
 * format, a duplicate user, a malformed line, a user name with whitespace at either end (HTTP trims it, so it would
 * reach the application as another user), the hash of an empty password, or a hash costlier than the configured
 * ceiling is refused as a whole, with the line number in the message: a reload must never half-apply a file.
 *
 * <p>Cost: the decoy is an entry of the file's <em>typical</em> (median) cost, so one expensive entry cannot make every
 * unknown user expensive. A known user whose bcrypt cost is below the typical one is padded up to it (bcrypt runs at
 * its own cost, then at each cost up to the typical one: 2^c + 2^c + ... + 2^(t-1) = 2^t), and a known user of a cheap
 * format in a bcrypt file pays one typical run more, so a wrong password costs what an unknown user's does. Entries
 * costlier than the typical one cannot be made cheaper; {@link #costlierThanTypical()} names them for a warning.
 */
final class HtpasswdFile {

  /** Far beyond any real htpasswd file; bounds the memory a corrupt or hostile file can take. */
  static final long MAX_FILE_BYTES = 16L << 20;

  private final Map<String, PasswordHash> users;
  private final PasswordHash decoy;
  private final List<String> costlierThanTypical;

  private HtpasswdFile(Map<String, PasswordHash> users, PasswordHash decoy, List<String> costlierThanTypical) {
    this.users = users;
    this.decoy = decoy;
    this.costlierThanTypical = costlierThanTypical;
  }

  /** Reads with the default ceilings. */
  static HtpasswdFile read(Path path) throws IOException {
    return read(path, PasswordHash.Ceilings.DEFAULT);
  }

  /**
   * Reads and parses a file.
   *
   * @throws IOException if it cannot be read
   * @throws IllegalArgumentException if its content is unusable, with a line number
   */
  static HtpasswdFile read(Path path, PasswordHash.Ceilings ceilings) throws IOException {
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
    return parse(text, ceilings);
  }

  static HtpasswdFile parse(String text) {
    return parse(text, PasswordHash.Ceilings.DEFAULT);
  }

  static HtpasswdFile parse(String text, PasswordHash.Ceilings ceilings) {
    Map<String, PasswordHash> users = new LinkedHashMap<>();
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
      if (hasWhitespaceAtAnEnd(user)) {
        throw new IllegalArgumentException(
            "line " + lineNumber + ": user name " + LogText.quote(user) + " has whitespace at its start or end, which HTTP would trim away");
      }
      String field = line.substring(colon + 1).strip();
      PasswordHash hash;
      try {
        hash = PasswordHash.parse(field, ceilings);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("line " + lineNumber + " (user " + user + "): " + e.getMessage());
      }
      if (hash.isOfEmptyPassword()) {
        throw new IllegalArgumentException("line " + lineNumber + " (user " + user + "): the hash of an empty password; set a password");
      }
      if (users.putIfAbsent(user, hash) != null) {
        throw new IllegalArgumentException("line " + lineNumber + ": duplicate user " + user);
      }
    }
    PasswordHash decoy;
    List<String> costlier = new ArrayList<>();
    if (users.isEmpty()) {
      // An empty file lets nobody in; the decoy keeps the unknown-user path uniform all the same.
      decoy = PasswordHash.parse(EMPTY_FILE_DECOY);
    } else {
      List<PasswordHash> byCost = new ArrayList<>(users.values());
      byCost.sort(Comparator.comparingLong(PasswordHash::workFactor));
      decoy = byCost.get((byCost.size() - 1) / 2);
      for (Map.Entry<String, PasswordHash> entry : users.entrySet()) {
        if (entry.getValue().workFactor() > decoy.workFactor()) {
          costlier.add(entry.getKey());
        }
      }
    }
    return new HtpasswdFile(Collections.unmodifiableMap(users), decoy, List.copyOf(costlier));
  }

  private static boolean hasWhitespaceAtAnEnd(String user) {
    int first = user.codePointAt(0);
    int last = user.codePointBefore(user.length());
    return isTrimmed(first) || isTrimmed(last);
  }

  private static boolean isTrimmed(int c) {
    return c <= 0x20 || c == 0x7f || Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0xfeff || (c >= 0x200b && c <= 0x200d);
  }

  /** A bcrypt hash of a random password nobody knows, cost 10 (htpasswd's default). */
  private static final String EMPTY_FILE_DECOY = "$2y$10$yPdyKOAPqzJHWadpCH7.Fev9BVmG5vnN5f3xYiKRTFA6qnItEfycy";

  Optional<PasswordHash> hashOf(String user) {
    return Optional.ofNullable(users.get(user));
  }

  /**
   * Checks a password, costing the same for a known user (padded up to the typical cost) and an unknown one (checked
   * against the decoy, result ignored), so response times do not reveal which user names exist.
   *
   * @param work told of every bcrypt computation, for tests
   * @return whether the user exists and the password is theirs
   */
  boolean verify(String user, byte[] password, PasswordHash.Work work) {
    PasswordHash hash = users.get(user);
    if (hash == null) {
      decoy.matches(password, work);
      return false;
    }
    boolean matches = hash.matches(password, work);
    pad(hash, work);
    return matches;
  }

  private void pad(PasswordHash hash, PasswordHash.Work work) {
    if (!(decoy instanceof PasswordHash.Bcrypt typical)) {
      // A file of cheap formats: nothing costly to match, and bcrypt entries in it are named by costlierThanTypical.
      return;
    }
    if (hash instanceof PasswordHash.Bcrypt own) {
      for (int cost = own.cost(); cost < typical.cost(); cost++) {
        PasswordHash.spendBcrypt(cost, work);
      }
    } else if (hash.workFactor() < typical.workFactor()) {
      PasswordHash.spendBcrypt(typical.cost(), work);
    }
  }

  /**
   * The file's hash of typical (median) cost. Checking an unknown user's password against it costs what checking a
   * typical user's does.
   */
  PasswordHash decoy() {
    return decoy;
  }

  /** Users whose hash costs more than the typical one: timing tells them from unknown users; rehash them. */
  List<String> costlierThanTypical() {
    return costlierThanTypical;
  }

  int size() {
    return users.size();
  }
}
