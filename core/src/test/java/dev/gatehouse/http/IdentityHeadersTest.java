package dev.gatehouse.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class IdentityHeadersTest {

  private final IdentityHeaders headers = IdentityHeaders.defaults();

  @ParameterizedTest
  @ValueSource(strings = {"X-Forwarded-User", "x-forwarded-user", "X_FORWARDED_USER", "x.forwarded.user", "X-Forwarded_User", "X-Forwarded-Email",
      "X-Forwarded-Groups", "X-Forwarded-Client-Cert", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "Forwarded", "X-Real-IP",
      "Remote-User", "X-Auth-Request-User"})
  void identityHeadersAreStrippedInEverySpelling(String name) {
    assertThat(headers.mustStrip(name, List.of())).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"Accept", "X-Forwarded-Username-Hint", "X-Forwarded", "Authorization", "Content-Type", "X-Forwarded-Userx", "User"})
  void ordinaryHeadersPass(String name) {
    assertThat(headers.mustStrip(name, List.of())).isFalse();
  }

  @Test
  void headerNamedInConnectionIsStripped() {
    assertThat(headers.mustStrip("X-Trace", List.of("keep-alive, x_trace"))).isTrue();
    assertThat(headers.mustStrip("X-Trace", List.of("keep-alive", " X-Trace "))).isTrue();
    assertThat(headers.mustStrip("X-Trace", List.of("keep-alive, X-Trace-Id"))).isFalse();
    assertThat(headers.mustStrip("X-Trace", List.of(",,"))).isFalse();
  }

  @Test
  void transportHeadersAreNotCallerIdentity() {
    assertThat(headers.isCallerIdentityHeader("x_forwarded_user")).isTrue();
    assertThat(headers.isCallerIdentityHeader("X-Forwarded-For")).isFalse();
    assertThat(headers.isCallerIdentityHeader("Forwarded")).isFalse();
  }

  @Test
  void configuredClaimHeadersAreProtectedToo() {
    IdentityHeaders withClaims = IdentityHeaders.withExtra(List.of("X-Tenant"));

    assertThat(withClaims.isCallerIdentityHeader("x_tenant")).isTrue();
    assertThat(headers.isCallerIdentityHeader("X-Tenant")).isFalse();
  }
}
