package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.Gatehouse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code authentication.jwt[i]}: every key binds, every bad value is named by its path. */
class JwtConfigTest {

  @TempDir Path directory;

  private GatehouseConfig load(String yaml) throws IOException {
    return ConfigLoader.load(Files.writeString(directory.resolve("gatehouse.yaml"), yaml));
  }

  @Test
  void everyKeyBinds() throws IOException {
    Path secret = Files.writeString(directory.resolve("secret"), "0123456789abcdef0123456789abcdef\n");
    GatehouseConfig config =
        load(
            """
            authentication:
              jwt:
                - issuer: https://issuer.example
                  jwks-uri: https://issuer.example/.well-known/jwks.json
                  audiences: [orders, billing]
                  algorithms: [RS256, ES256]
                  clock-skew: 30s
                  from-headers: [{name: Authorization, prefix: "Bearer "}, {name: X-Token}]
                  from-cookies: [access_token]
                  from-params: [token]
                  forward-token: true
                  claims-to-headers: {email: X-Email, realm_access.roles: X-Roles}
                  groups-claim: realm_access.roles
                  max-token-size: 8KiB
                - issuer: https://hmac.example
                  hmac-secret-file: %s
            """
                .formatted(secret));

    JwtIssuerConfig first = config.authentication().jwt().get(0);
    assertThat(first.issuer()).isEqualTo("https://issuer.example");
    assertThat(first.jwksUri()).hasValueSatisfying(uri -> assertThat(uri).hasToString("https://issuer.example/.well-known/jwks.json"));
    assertThat(first.audiences()).containsExactly("orders", "billing");
    assertThat(first.algorithms()).containsExactly("RS256", "ES256");
    assertThat(first.clockSkew()).isEqualTo(Duration.ofSeconds(30));
    assertThat(first.fromHeaders()).containsExactly(new JwtIssuerConfig.TokenHeader("Authorization", "Bearer "), new JwtIssuerConfig.TokenHeader("X-Token", ""));
    assertThat(first.fromCookies()).containsExactly("access_token");
    assertThat(first.fromParams()).containsExactly("token");
    assertThat(first.forwardToken()).isTrue();
    assertThat(first.claimsToHeaders()).containsExactlyInAnyOrderEntriesOf(Map.of("email", "X-Email", "realm_access.roles", "X-Roles"));
    assertThat(first.groupsClaim()).isEqualTo("realm_access.roles");
    assertThat(first.maxTokenSize()).isEqualTo(8192);
    JwtIssuerConfig second = config.authentication().jwt().get(1);
    assertThat(second.hmacSecret()).hasValue("0123456789abcdef0123456789abcdef");
    assertThat(second.algorithms()).containsExactly("HS256", "HS384", "HS512");
    assertThat(second.toString()).doesNotContain("0123456789abcdef");
  }

  @Test
  void defaultsAreTheSafeOnes() throws IOException {
    JwtIssuerConfig issuer = load("authentication: {jwt: [{issuer: https://i.example, discovery: true}]}").authentication().jwt().get(0);

    assertThat(issuer.algorithms()).isEqualTo(JwtIssuerConfig.DEFAULT_ALGORITHMS).doesNotContain("HS256", "none");
    assertThat(issuer.fromHeaders()).containsExactly(JwtIssuerConfig.DEFAULT_HEADER);
    assertThat(issuer.fromCookies()).isEmpty();
    assertThat(issuer.fromParams()).as("never by default").isEmpty();
    assertThat(issuer.forwardToken()).isFalse();
    assertThat(issuer.clockSkew()).isEqualTo(Duration.ofSeconds(60));
    assertThat(issuer.groupsClaim()).isEqualTo("groups");
    assertThat(issuer.maxTokenSize()).isEqualTo(16 * 1024);
  }

  @Test
  void badValuesAreNamedByTheirPath() {
    assertThatThrownBy(() -> load("authentication: {jwt: [{jwks-uri: https://i.example/jwks}]}"))
        .hasMessageStartingWith("authentication.jwt[0].issuer: missing");
    assertThatThrownBy(() -> load("authentication: {jwt: [{issuer: https://i.example}]}"))
        .hasMessageStartingWith("authentication.jwt[0].jwks-uri: missing");
    assertThatThrownBy(() -> load("authentication: {jwt: [{issuer: https://i.example, jwks-url: https://i.example/jwks}]}"))
        .hasMessageStartingWith("authentication.jwt[0].jwks-url: unknown key");
    assertThatThrownBy(() -> load("authentication: {jwt: [{issuer: https://i.example, discovery: true, algorithms: [none]}]}"))
        .hasMessage("authentication.jwt[0].algorithms: none is never accepted");
    assertThatThrownBy(() -> load("authentication: {jwt: [{issuer: https://i.example, discovery: true, algorithms: [RS256, HS256]}]}"))
        .hasMessage("authentication.jwt[0].algorithms: HS256 needs hmac-secret or hmac-secret-file");
    assertThatThrownBy(() -> load("authentication: {jwt: [{issuer: https://i.example, hmac-secret: short}]}"))
        .hasMessage("authentication.jwt[0].hmac-secret: must be at least 32 bytes (256 bits)");
    assertThatThrownBy(() -> load("authentication: {jwt: [{issuer: https://i.example, jwks-uri: http://idp.example/jwks}]}"))
        .hasMessageStartingWith("authentication.jwt[0].jwks-uri: must be an https URL");
    assertThatThrownBy(() -> load("authentication: {jwt: [{issuer: https://i.example, discovery: true, clock-skew: soon}]}"))
        .hasMessageStartingWith("authentication.jwt[0].clock-skew: expected a duration");
    // Reserved header names are the JWT authenticator's to know: refused when the engine is built, before any key fetch.
    assertThatThrownBy(() -> Gatehouse.create(load("authentication: {jwt: [{issuer: https://i.example, discovery: true, claims-to-headers: {sub: X-Forwarded-User}}]}")))
        .hasMessageStartingWith("authentication.jwt[0].claims-to-headers: X-Forwarded-User is reserved");
    // Backends fold '.' into '-' (IdentityHeaders), and so does the servlet wrapper: this spelling is X-Forwarded-User.
    assertThatThrownBy(() -> Gatehouse.create(load("authentication: {jwt: [{issuer: https://i.example, discovery: true, claims-to-headers: {name: X.Forwarded.User}}]}")))
        .hasMessageStartingWith("authentication.jwt[0].claims-to-headers: X.Forwarded.User is reserved");
    assertThatThrownBy(() -> load("authentication: {jwt: [{issuer: https://i.example, discovery: true, from-params: ['a b']}]}"))
        .hasMessage("authentication.jwt[0].from-params: not a parameter name: a b");
    assertThatThrownBy(() -> load("authentication: {jwt: [{issuer: https://i.example, discovery: true}, {issuer: https://i.example, discovery: true}]}"))
        .hasMessage("authentication.jwt: two entries name the same issuer");
    assertThatThrownBy(() -> load("authentication: {jwt: [{issuer: https://i.example, discovery: true, jwks-uri: https://i.example/jwks}]}"))
        .hasMessageStartingWith("authentication.jwt[0].jwks-uri: use one of");
  }

  @Test
  void secretValuesNeverAppearInMessages() {
    assertThatThrownBy(() -> load("authentication: {jwt: [{issuer: https://i.example, hmac-secret: hunter2hunter2, algorithms: [RS256]}]}"))
        .message()
        .doesNotContain("hunter2");
  }

  @Test
  void basicAndJwtTogether() throws IOException {
    Path htpasswd = Files.writeString(directory.resolve("htpasswd"), "alice:{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=\n");
    GatehouseConfig config = load("authentication: {basic: {htpasswd: " + htpasswd + "}, jwt: [{issuer: https://i.example, discovery: true}]}");

    assertThat(config.authentication().basic()).isPresent();
    assertThat(config.authentication().jwt()).extracting(JwtIssuerConfig::issuer).isEqualTo(List.of("https://i.example"));
  }
}
