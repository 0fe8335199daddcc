package dev.gatehouse.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Headers that change how a backend frames or routes a request: a framing name spelt so that only a folding backend
 * reads it, and the routing and trust headers front proxies and frameworks honour. Both are removed at a forwarding hop
 * and hidden from an embedded application, in every spelling a folding backend would read.
 */
class RoutingAndFramingHeadersTest {

  private final IdentityHeaders headers = IdentityHeaders.defaults();
  private final RequestHeaders policy = RequestHeaders.of(headers, Set.of(), Map.of());

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Transfer_Encoding", "Transfer.Encoding", "transfer_encoding", "TRANSFER.ENCODING", "Transfer_encoding",
        "Content_Length", "content.length", "Keep_Alive", "keep.alive", "Proxy_Connection", "proxy.connection",
        "Proxy_Authorization", "HTTP2_Settings"
      })
  void framingNameInAFoldedSpellingIsRemovedAndHidden(String name) {
    assertThat(headers.mustStrip(name, List.of())).as("removed at the sidecar").isTrue();
    assertThat(policy.mustRemove(name, List.of())).isTrue();
    assertThat(policy.mustHide(name)).as("hidden from the app behind the filter").isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"Transfer-Encoding", "transfer-encoding", "Content-Length", "Host", "Connection", "TE", "Upgrade", "Trailer"})
  void realFramingNamesAreLeftToTheCodecAndTheContainer(String name) {
    // The container and the sidecar's codec frame the request by these; hiding them would break every body.
    assertThat(policy.mustHide(name)).isFalse();
    assertThat(headers.mustStrip(name, List.of())).isFalse();
  }

  @Test
  void routingHeaderListIsTheReviewedOne() {
    assertThat(IdentityHeaders.ROUTING_HEADERS)
        .containsExactly(
            "X-Original-URL",
            "X-Rewrite-URL",
            "X-Original-URI",
            "X-Forwarded-Uri",
            "X-Forwarded-Prefix",
            "Client-Cert",
            "Client-Cert-Chain",
            "X-SSL-Client-*",
            "X-Client-Cert*",
            "X-Remote-User",
            "X-Remote-Group",
            "X-Remote-Extra-*",
            "X-Auth-Request-*",
            "X-Pomerium-*");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "X-Original-URL", "x_original_url", "X.Original.Url", "X-Rewrite-URL", "X-Original-URI", "X-Forwarded-Uri", "x_forwarded_uri",
        "X-Forwarded-Prefix", "Client-Cert", "client_cert", "Client-Cert-Chain", "X-SSL-Client-Verify", "X-SSL-Client-S-DN",
        "x_ssl_client_cert", "X-Ssl-Client-", "X-Client-Cert", "X-Client-Cert-Chain", "X-Client-Certificate", "x.client.cert",
        "X-Remote-User", "X-Remote-Group", "x_remote_group", "X-Remote-Extra-Scopes", "X-Remote-Extra-", "X-Auth-Request-Redirect",
        "X-Auth-Request-Email", "x_auth_request_access_token", "X-Pomerium-Jwt-Assertion", "x.pomerium.claim.email"
      })
  void routingAndTrustHeadersAreRemovedAndHiddenInEverySpelling(String name) {
    assertThat(headers.mustStrip(name, List.of())).as("removed at the sidecar").isTrue();
    assertThat(policy.mustHide(name)).as("hidden from the app behind the filter").isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "X-Original", "X-Originally-URL", "X-Rewrite", "Client-Certificate", "X-Client", "X-Ssl-Client", "X-Remote-Users",
        "X-Remote", "X-Remote-Extra", "X-Auth-Request", "X-Pomerium", "X-Forwarded-Prefixes", "Content-Type", "Hostname",
        "Transfer-Encodings", "Accept"
      })
  void neighbouringNamesPass(String name) {
    assertThat(headers.mustStrip(name, List.of())).isFalse();
    assertThat(policy.mustHide(name)).isFalse();
  }

  @Test
  void routingHeadersPassedFromClientReachTheApplication() {
    IdentityHeaders passing = headers.passingFromClient(List.of("X-Forwarded-Prefix", "x_pomerium_jwt_assertion", "X-SSL-Client-Verify"));
    RequestHeaders passingPolicy = RequestHeaders.of(passing, Set.of(), Map.of());

    for (String name : List.of("X-Forwarded-Prefix", "x.forwarded.prefix", "X-Pomerium-Jwt-Assertion", "x-ssl-client-verify")) {
      assertThat(passing.mustStrip(name, List.of())).as(name).isFalse();
      assertThat(passingPolicy.mustHide(name)).as(name).isFalse();
    }
    for (String name : List.of("X-Original-URL", "X-Pomerium-Claim-Email", "X-SSL-Client-S-DN", "Transfer_Encoding")) {
      assertThat(passing.mustStrip(name, List.of())).as(name).isTrue();
      assertThat(passingPolicy.mustHide(name)).as(name).isTrue();
    }
    assertThat(headers.mustStrip("X-Forwarded-Prefix", List.of())).as("the defaults are unchanged").isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"Transfer-Encoding", "transfer_encoding", "Content-Length", "Host", "Connection", "Keep-Alive", "Proxy-Connection", "TE"})
  void framingHeadersCannotBePassed(String name) {
    assertThatThrownBy(() -> headers.passingFromClient(List.of(name)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(name)
        .hasMessageContaining("framing");
  }

  @ParameterizedTest
  @ValueSource(strings = {"X-Forwarded-User", "x_forwarded_groups", "X-Remote-User", "X-Auth-Request-User", "X-Client-Cert", "X-Ssl-Client-Cert", "X-Gatehouse-Assertion"})
  void identityHeadersCannotBePassed(String name) {
    assertThatThrownBy(() -> headers.passingFromClient(List.of(name)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(name)
        .hasMessageContaining("identity");
  }

  @Test
  void configuredIdentityHeadersCannotBePassed() {
    IdentityHeaders withClaim = IdentityHeaders.withExtra(List.of("X-Auth-Request-Tenant"));

    assertThatThrownBy(() -> withClaim.passingFromClient(List.of("X-Auth-Request-Tenant"))).hasMessageContaining("identity");
  }

  @ParameterizedTest
  @ValueSource(strings = {"X-Forwarded-For", "X-Forwarded-Proto", "Forwarded", "X-Real-IP"})
  void transportHeadersCannotBePassed(String name) {
    assertThatThrownBy(() -> headers.passingFromClient(List.of(name))).hasMessageContaining(name).hasMessageContaining("sidecar sets");
  }

  @ParameterizedTest
  @ValueSource(strings = {"Accept", "X-Trace-Id", "X-Original", "Not A Name", ""})
  void passingAHeaderThatIsNotRemovedIsRefusedAsATypo(String name) {
    assertThatThrownBy(() -> headers.passingFromClient(List.of(name))).isInstanceOf(IllegalArgumentException.class);
  }
}
