package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.testing.Fixtures;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code egress} and {@code credentials} sections: what binds, and each refusal naming its key. */
class EgressConfigTest {

  @TempDir Path directory;
  Path htpasswd;
  Path file;

  @BeforeEach
  void fixture() throws IOException {
    htpasswd = Fixtures.copy("formats.htpasswd", directory);
    file = Files.writeString(directory.resolve("secret"), "s");
  }

  GatehouseConfig load(String egress) throws IOException {
    String text = "authentication: {basic: {htpasswd: " + htpasswd + "}}\n" + egress.replace("FILE", file.toString());
    return ConfigLoader.load(Files.writeString(directory.resolve("gatehouse.yaml"), text));
  }

  void refused(String egress, String key, String message) {
    assertThatThrownBy(() -> load(egress)).isInstanceOf(ConfigException.class).hasMessageContaining(key).hasMessageContaining(message);
  }

  static final String ROUTE = "egress:\n  listen: 127.0.0.1:15001\n  routes:\n    - name: orders\n      prefix: /orders/\n      upstream: https://orders.partner.example:8443/api/\n";

  @Test
  void fullEgressAndCredentialsBind() throws IOException {
    GatehouseConfig config =
        load(
            ROUTE
                + "      methods: [GET, POST]\n      tls: {ca: FILE, server-name: orders.partner.example, peer-spiffe-ids: [spiffe://partner.example/ns/orders/sa/api],"
                + " client-certificate: FILE, client-key: FILE}\n"
                + "      oauth2: {token-uri: https://idp.example/oauth2/token, client-id: shop, client-secret-file: FILE, scopes: [orders.read], audience: orders}\n"
                + "credentials:\n  listen: unix:/run/gatehouse/credentials.sock\n  allow-uids: [1000]\n  items:\n"
                + "    - {name: db-password, file: FILE}\n    - {name: orders-token, oauth2-route: orders}\n");

    EgressRoute route = config.egress().orElseThrow().routes().get(0);
    assertThat(config.egress().get().listen()).isInstanceOf(InetSocketAddress.class);
    assertThat(route.upstreamPath()).isEqualTo("/api/");
    assertThat(route.upstreamPort()).isEqualTo(8443);
    assertThat(route.tls().orElseThrow().peerSpiffeIds()).containsExactly("spiffe://partner.example/ns/orders/sa/api");
    assertThat(route.oauth2().orElseThrow().audienceParameter()).isEqualTo(OAuth2ClientConfig.AudienceParameter.AUDIENCE);
    assertThat(config.credentials().orElseThrow().allowUids()).containsExactly(1000);
    assertThat(config.credentials().get().items()).hasSize(2);
    assertThat(load("egress: {listen: 'unix:/run/egress.sock'}").egress().orElseThrow().listen()).isInstanceOf(UnixDomainSocketAddress.class);
  }

  @Test
  void listenMustBeLoopbackOrUnix() {
    refused("egress: {listen: '0.0.0.0:15001'}", "egress.listen", "loopback");
    refused("egress: {listen: '192.168.1.2:15001'}", "egress.listen", "loopback");
    refused("egress: {listen: 'partner.example:15001'}", "egress.listen", "loopback");
  }

  @Test
  void routeRefusals() {
    refused(ROUTE.replace("/orders/\n", "/orders/../admin/\n"), "egress.routes[0].prefix", "plain path");
    refused(ROUTE.replace("/orders/\n", "/orders\n"), "egress.routes[0].prefix", "end with /");
    refused(ROUTE.replace("https://orders", "http://orders"), "egress.routes[0].upstream", "https");
    refused(ROUTE.replace("/api/\n", "/api\n"), "egress.routes[0].upstream", "end with /");
    refused(ROUTE + "      methods: [get]\n", "egress.routes[0].methods", "upper case");
    refused(ROUTE + "      methods: [CONNECT]\n", "egress.routes[0].methods", "CONNECT");
    refused(ROUTE + "      tls: {client-certificate: FILE}\n", "egress.routes[0].tls.client-key", "together");
    refused(ROUTE + "      tls: {peer-spiffe-ids: [partner]}\n", "egress.routes[0].tls.peer-spiffe-ids", "SPIFFE");
    refused(ROUTE + "      colour: blue\n", "egress.routes[0].colour", "unknown key");
    refused(ROUTE + ROUTE.substring(ROUTE.indexOf("    - name")), "egress.routes[1].name", "another route");
  }

  @Test
  void tokenUriMustBeHttpsOrLoopbackHttp() throws IOException {
    refused(ROUTE + "      oauth2: {token-uri: http://idp.example/token, client-id: shop, client-secret-file: FILE}\n", "egress.routes[0].oauth2.token-uri", "https");
    refused(ROUTE + "      oauth2: {token-uri: https://idp.example/token, client-id: shop}\n", "egress.routes[0].oauth2.client-secret-file", "missing");
    refused(ROUTE + "      oauth2: {token-uri: https://idp.example/token, client-id: shop, client-secret-file: FILE, client-assertion-key: FILE}\n", "oauth2", "not both");
    assertThat(load(ROUTE + "      oauth2: {token-uri: 'http://127.0.0.1:8081/token', client-id: shop, client-secret-file: FILE}\n").egress()).isPresent();
  }

  @Test
  void credentialsRefusals() {
    refused("credentials: {listen: '127.0.0.1:9000', items: []}", "credentials.listen", "Unix socket");
    refused("credentials: {listen: 'unix:/run/c.sock', allow-uids: [me]}", "credentials.allow-uids", "numeric");
    refused("credentials: {listen: 'unix:/run/c.sock', items: [{name: x, oauth2-route: orders}]}", "credentials.items[0].oauth2-route", "no egress route");
    refused("credentials: {listen: 'unix:/run/c.sock', items: [{name: '../x', file: FILE}]}", "credentials.items[0].name", "letters");
    refused("credentials: {listen: 'unix:/run/c.sock', items: [{name: x}]}", "credentials.items[0].file", "missing");
  }
}
