package dev.gatehouse.authn.basic;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Parses the credentials of an RFC 7617 {@code Authorization: Basic} header, strictly.
 *
 * <p>Strict means: canonical base64 with padding and nothing else around it, UTF-8 that decodes without replacement,
 * a colon somewhere (the user id ends at the first one; the password may contain more), and no control characters in
 * the user id. Anything else is a failure the caller turns into a 401, not something to guess at.
 */
final class BasicCredentials {

  /** Base64 of the longest credentials we accept; far beyond any real user name and password. */
  static final int MAX_TOKEN_LENGTH = 4096;

  private BasicCredentials() {}

  /** The parsed credentials; {@code password} is the raw UTF-8 bytes so that no String copy of it lingers. */
  record Parsed(String user, byte[] password, byte[] decoded) {}

  /** Whether a header value uses the Basic scheme (case-insensitive, as all auth-schemes are). */
  static boolean isBasic(String headerValue) {
    return headerValue.regionMatches(true, 0, "Basic", 0, 5)
        && (headerValue.length() == 5 || headerValue.charAt(5) == ' ');
  }

  /**
   * Parses a {@code Basic} header value.
   *
   * @throws IllegalArgumentException with a short reason that never includes the credentials
   */
  static Parsed parse(String headerValue) {
    int start = 5;
    while (start < headerValue.length() && headerValue.charAt(start) == ' ') {
      start++;
    }
    String token = headerValue.substring(start);
    if (token.isEmpty()) {
      throw new IllegalArgumentException("Basic credentials are empty");
    }
    if (token.length() > MAX_TOKEN_LENGTH) {
      throw new IllegalArgumentException("Basic credentials are longer than " + MAX_TOKEN_LENGTH + " characters");
    }
    if (token.length() % 4 != 0) {
      throw new IllegalArgumentException("Basic credentials are not padded base64");
    }
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(token);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Basic credentials are not valid base64");
    }
    if (!Base64.getEncoder().encodeToString(decoded).equals(token)) {
      // Non-zero padding bits: two spellings of one credential would get two cache entries and two log identities.
      throw new IllegalArgumentException("Basic credentials are not canonical base64");
    }
    int colon = -1;
    for (int i = 0; i < decoded.length; i++) {
      if (decoded[i] == ':') {
        colon = i;
        break;
      }
    }
    if (colon < 0) {
      throw new IllegalArgumentException("Basic credentials have no colon between user and password");
    }
    String user;
    try {
      user = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(decoded, 0, colon))
          .toString();
      // The password is compared as bytes, but must still be well-formed UTF-8 as the challenge's charset promises.
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(decoded, colon + 1, decoded.length - colon - 1));
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("Basic credentials are not valid UTF-8");
    }
    if (user.isEmpty()) {
      throw new IllegalArgumentException("Basic credentials have an empty user id");
    }
    for (int i = 0; i < user.length(); i++) {
      char c = user.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw new IllegalArgumentException("Basic user id contains a control character");
      }
    }
    byte[] password = java.util.Arrays.copyOfRange(decoded, colon + 1, decoded.length);
    return new Parsed(user, password, decoded);
  }
}
