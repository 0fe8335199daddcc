package dev.gatehouse.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Decision;
import dev.gatehouse.Identities;
import dev.gatehouse.Identity;
import dev.gatehouse.http.RequestHeaders;
import java.util.Set;
import dev.gatehouse.http.IdentityHeaders;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The wrapper with decisions the built-in engine does not make yet: headers beyond the built-in identity set, such as
 * JWT claim headers will be. The container tests cover everything the engine makes today.
 */
class AuthenticatedRequestTest {

  @Test
  void engineHeaderOutsideTheCallerSetStillReplacesEverySpellingTheClientSent() {
    HttpServletRequest received =
        request(List.of(Map.entry("X-Claim-Team", "red"), Map.entry("x_claim_team", "red"), Map.entry("Accept", "*/*")));
    Decision.Allow allow = allow(Identity.of("svc", Identity.JWT), Map.of("X-Claim-Team", "blue"), Set.of());

    AuthenticatedRequest request = new AuthenticatedRequest(received, allow);

    assertThat(request.getHeader("X-Claim-Team")).isEqualTo("blue");
    assertThat(request.getHeader("x_claim_team")).isEqualTo("blue");
    assertThat(Collections.list(request.getHeaders("x-claim-team"))).containsExactly("blue");
    assertThat(Collections.list(request.getHeaderNames())).containsExactly("Accept", "X-Claim-Team");
    assertThat(request.getHeader("Accept")).isEqualTo("*/*");
  }

  @Test
  void headerTheDecisionRemovesIsHiddenFromTheApplication() {
    HttpServletRequest received =
        request(List.of(Map.entry("Authorization", "Bearer eyJ.secret.token"), Map.entry("Accept", "*/*")));
    Decision.Allow allow = allow(Identity.of("iss/alice", Identity.JWT), Map.of(), Set.of("Authorization"));

    AuthenticatedRequest request = new AuthenticatedRequest(received, allow);

    assertThat(request.getHeader("authorization")).isNull();
    assertThat(Collections.list(request.getHeaders("Authorization"))).isEmpty();
    assertThat(Collections.list(request.getHeaderNames())).containsExactly("Accept");
    assertThat(request.getAuthType()).isEqualTo("Bearer");
  }

  private static Decision.Allow allow(Identity principal, Map<String, String> headers, Set<String> consumed) {
    return new Decision.Allow(
        new Identities(Optional.empty(), Optional.of(principal)), RequestHeaders.of(IdentityHeaders.defaults(), consumed, headers), Optional.empty());
  }

  /** A received request with these headers; only the header accessors are needed. */
  private static HttpServletRequest request(List<Map.Entry<String, String>> headers) {
    return (HttpServletRequest)
        Proxy.newProxyInstance(
            HttpServletRequest.class.getClassLoader(),
            new Class<?>[] {HttpServletRequest.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getHeader" -> values(headers, (String) args[0]).stream().findFirst().orElse(null);
                  case "getHeaders" -> Collections.enumeration(values(headers, (String) args[0]));
                  case "getHeaderNames" -> Collections.enumeration(headers.stream().map(Map.Entry::getKey).toList());
                  default -> throw new AssertionError("not needed: " + method.getName());
                });
  }

  private static List<String> values(List<Map.Entry<String, String>> headers, String name) {
    return headers.stream().filter(header -> header.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).toList();
  }
}
