package dev.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.authn.AuthenticationResult;
import dev.gatehouse.authn.Authenticator;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.http.IdentityHeaders;
import dev.gatehouse.testing.FakeRequest;
import dev.gatehouse.testing.Fixtures;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatehouseTest {

  @TempDir Path directory;
  private Gatehouse gatehouse;

  @BeforeEach
  void start() {
    Path htpasswd = Fixtures.copy("formats.htpasswd", directory);
    gatehouse = Gatehouse.create(ConfigLoader.load(Optional.empty(), Map.of("authentication.basic.htpasswd", htpasswd.toString())));
  }

  @AfterEach
  void stop() {
    gatehouse.close();
  }

  @Test
  void anonymousRequestIsChallengedWith401() {
    Decision decision = gatehouse.decide(FakeRequest.get("/"));

    assertThat(decision).isInstanceOf(Decision.Challenge.class);
    Decision.Refusal refusal = (Decision.Refusal) decision;
    assertThat(refusal.status()).isEqualTo(401);
    assertThat(refusal.challenges()).containsExactly("Basic realm=\"Restricted\", charset=\"UTF-8\"");
    assertThat(refusal.body()).isEqualTo("Unauthorized\n");
  }

  @Test
  void wrongPasswordIsChallengedWith401() {
    Decision decision = gatehouse.decide(FakeRequest.get("/").basic("bcrypt-user", "nope"));

    assertThat(decision).isInstanceOf(Decision.Challenge.class);
    assertThat(((Decision.Refusal) decision).reason()).doesNotContain("nope");
  }

  @Test
  void authenticatedRequestIsAllowedWithUserHeader() {
    Decision decision = gatehouse.decide(FakeRequest.get("/").basic("bcrypt-user", "bcrypt secret"));

    assertThat(decision).isInstanceOfSatisfying(Decision.Allow.class, allow -> {
      assertThat(allow.identities()).isEqualTo(new Identities(Optional.empty(), Optional.of(Identity.of("bcrypt-user", Identity.BASIC))));
      assertThat(allow.headers()).isEqualTo(Map.of(IdentityHeaders.USER, "bcrypt-user"));
      assertThat(allow.path()).contains("/");
    });
  }

  @Test
  void failureInAnyAuthenticatorWinsOverSuccessInAnother() {
    Authenticator alwaysAlice = authenticator(AuthenticationResult.success(Identity.of("alice", "test")));
    Authenticator alwaysBad = authenticator(AuthenticationResult.failure("bad token"));

    try (Gatehouse engine = Gatehouse.builder().authenticator(alwaysAlice).authenticator(alwaysBad).build()) {
      assertThat(engine.decide(FakeRequest.get("/"))).isInstanceOf(Decision.Challenge.class);
    }
  }

  @Test
  void throwingAuthenticatorFailsClosed() {
    Authenticator broken = new Authenticator() {
      @Override
      public AuthenticationResult authenticate(RequestView request) {
        throw new IllegalStateException("boom");
      }

      @Override
      public Optional<String> challenge() {
        return Optional.empty();
      }
    };

    try (Gatehouse engine = Gatehouse.builder().authenticator(broken).build()) {
      assertThat(engine.decide(FakeRequest.get("/"))).isInstanceOf(Decision.Challenge.class);
    }
  }

  @Test
  void groupsAndEmailBecomeUpstreamHeaders() {
    Identity identity = new Identity("alice", "test", Set.of("ops", "dev"), Map.of("email", "alice@example.com"));

    try (Gatehouse engine = Gatehouse.builder().authenticator(authenticator(AuthenticationResult.success(identity))).build()) {
      Decision.Allow allow = (Decision.Allow) engine.decide(FakeRequest.get("/"));

      assertThat(allow.headers())
          .containsEntry(IdentityHeaders.USER, "alice")
          .containsEntry(IdentityHeaders.GROUPS, "dev,ops")
          .containsEntry(IdentityHeaders.EMAIL, "alice@example.com");
    }
  }

  @Test
  void engineWithoutAuthenticatorsCannotBeBuilt() {
    assertThatThrownBy(() -> Gatehouse.builder().build()).isInstanceOf(IllegalStateException.class);
  }

  private static Authenticator authenticator(AuthenticationResult result) {
    return new Authenticator() {
      @Override
      public AuthenticationResult authenticate(RequestView request) {
        return result;
      }

      @Override
      public Optional<String> challenge() {
        return Optional.of("Test");
      }
    };
  }

  @Test
  void challengesListEveryConfiguredMethod() {
    try (Gatehouse engine = Gatehouse.builder().authenticator(authenticator(AuthenticationResult.none())).authenticator(authenticator(AuthenticationResult.none())).build()) {
      assertThat(((Decision.Refusal) engine.decide(FakeRequest.get("/"))).challenges()).isEqualTo(List.of("Test", "Test"));
    }
  }
}
