package dev.gatehouse.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code egress.routes[].oauth2}: an OAuth2 client using the client credentials grant (RFC 6749 section 4.4).
 *
 * @param tokenUri the token endpoint; {@code https}, or {@code http} on a loopback address
 * @param clientId the client's ID
 * @param clientSecretFile the file holding the client secret, sent with HTTP Basic ({@code client_secret_basic})
 * @param clientAssertionKey the PEM private key signing a {@code private_key_jwt} assertion (RFC 7523) instead
 * @param clientAssertionKeyId the {@code kid} of that key
 * @param scopes the scopes asked for; none sent when empty
 * @param audience the audience asked for, if any
 * @param audienceParameter the form parameter that carries {@code audience}
 */
public record OAuth2ClientConfig(
    URI tokenUri,
    String clientId,
    Optional<Path> clientSecretFile,
    Optional<Path> clientAssertionKey,
    Optional<String> clientAssertionKeyId,
    List<String> scopes,
    Optional<String> audience,
    AudienceParameter audienceParameter) {

  /** Which form parameter carries the audience: identity providers differ. */
  public enum AudienceParameter {
    /** {@code audience}: Auth0, Keycloak, RFC 8693. */
    AUDIENCE,
    /** {@code resource}: RFC 8707, Entra ID v1, ADFS. */
    RESOURCE
  }

  /**
   * Checks the parts.
   *
   * @throws ConfigException if the token URI is not https (http off loopback), or not exactly one client
   *     authentication is set
   */
  public OAuth2ClientConfig {
    Objects.requireNonNull(tokenUri, "tokenUri");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(clientSecretFile, "clientSecretFile");
    Objects.requireNonNull(clientAssertionKey, "clientAssertionKey");
    Objects.requireNonNull(clientAssertionKeyId, "clientAssertionKeyId");
    scopes = List.copyOf(scopes);
    Objects.requireNonNull(audience, "audience");
    Objects.requireNonNull(audienceParameter, "audienceParameter");
    // A client secret or token in clear text could be read by anyone on the path; the same rule as jwks-uri.
    JwtIssuerConfig.requireSafeUrl("token-uri", tokenUri);
    if (tokenUri.getRawUserInfo() != null || tokenUri.getRawFragment() != null) {
      throw new ConfigException("token-uri", "must not carry user info or a fragment");
    }
    if (clientId.isEmpty()) {
      throw new ConfigException("client-id", "must not be empty");
    }
    if (clientSecretFile.isPresent() == clientAssertionKey.isPresent()) {
      throw new ConfigException(
          clientSecretFile.isPresent() ? "client-assertion-key" : "client-secret-file",
          clientSecretFile.isPresent() ? "set client-secret-file or client-assertion-key, not both" : "missing; set client-secret-file, or client-assertion-key for private_key_jwt");
    }
    if (clientAssertionKeyId.isPresent() && clientAssertionKey.isEmpty()) {
      throw new ConfigException("client-assertion-key-id", "only with client-assertion-key");
    }
    for (String scope : scopes) {
      // RFC 6749 section 3.3: scope tokens are printable ASCII without space, '"' or '\'.
      if (scope.isEmpty() || !scope.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '"' && c != '\\')) {
        throw new ConfigException("scopes", "not a scope token: " + scope);
      }
    }
  }
}
