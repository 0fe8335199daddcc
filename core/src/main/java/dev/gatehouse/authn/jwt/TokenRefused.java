package dev.gatehouse.authn.jwt;

import com.nimbusds.jwt.proc.BadJWTException;

/**
 * A verified token whose claims or type Gatehouse does not accept, carrying the short fixed description the client
 * gets in {@code error_description}, so the authenticator never reads a reason out of message text.
 */
final class TokenRefused extends BadJWTException {

  private static final long serialVersionUID = 1L;

  private final String description;

  /**
   * @param description what the client is told, such as {@code token expired}; fixed text, never from the token
   * @param detail what the log is told
   */
  TokenRefused(String description, String detail) {
    super(detail);
    this.description = description;
  }

  String description() {
    return description;
  }
}
