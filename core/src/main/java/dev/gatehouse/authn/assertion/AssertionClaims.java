package dev.gatehouse.authn.assertion;

import dev.gatehouse.Identity;

/** The names both ends agree on: the header's {@code typ}, the claims, and how {@code amr} spells a method. */
final class AssertionClaims {

  /**
   * The {@code typ} header (RFC 8725 section 3.11, explicit typing): a JWT an identity provider issued can never pass
   * for an assertion, even if a key were shared by mistake, nor an assertion for an access token.
   */
  static final String TYPE = "gatehouse-assertion+jwt";

  static final String ISSUER = "iss";
  static final String AUDIENCE = "aud";
  static final String SUBJECT = "sub";
  static final String PEER = "peer";
  static final String GROUPS = "groups";
  static final String METHODS = "amr";
  static final String HTTP_METHOD = "htm";
  static final String HTTP_TARGET = "htu";
  static final String ISSUED_AT = "iat";
  static final String EXPIRES = "exp";
  static final String ID = "jti";

  /** The {@code amr} value of a client certificate; the engine's method name has a hyphen, the issue's contract an underscore. */
  static final String CLIENT_CERTIFICATE = "client_certificate";

  private AssertionClaims() {}

  /** {@code basic}, {@code jwt}, {@code client_certificate}; a custom authenticator's method as it names it. */
  static String amr(String authenticationMethod) {
    return Identity.CLIENT_CERTIFICATE.equals(authenticationMethod) ? CLIENT_CERTIFICATE : authenticationMethod;
  }

  /** The engine's method name of an {@code amr} value. */
  static String authenticationMethod(String amr) {
    return CLIENT_CERTIFICATE.equals(amr) ? Identity.CLIENT_CERTIFICATE : amr;
  }
}
