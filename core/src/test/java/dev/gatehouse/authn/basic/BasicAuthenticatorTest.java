package dev.gatehouse.authn.basic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.Identity;
import dev.gatehouse.authn.AuthenticationResult;
import dev.gatehouse.config.BasicConfig;
import dev.gatehouse.config.ConfigException;
import dev.gatehouse.testing.FakeRequest;
import dev.gatehouse.testing.FakeTicker;
import dev.gatehouse.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BasicAuthenticatorTest {

  // Made with: htpasswd -nbB -C 4 <user> <password>
  private static final String ALICE_OLD = "alice:$2y$04$a/39.maDCJsd27fbofrIeOt96C8Rk87BSloX1pxLJfl/aiy1ChtG6"; // "old secret"
  private static final String ALICE_NEW = "alice:$2y$04$Lyy118exYcdgvFwB56j7buvs7rr7.nx.Z2y1OgELE.PwtnntcaiNy"; // "new secret"

  @TempDir Path directory;
  private final FakeTicker ticker = new FakeTicker();
  private BasicAuthenticator authenticator;

  @AfterEach
  void close() {
    if (authenticator != null) {
      authenticator.close();
    }
  }

  private BasicAuthenticator fixtureAuthenticator() {
    Path file = Fixtures.copy("formats.htpasswd", directory);
    authenticator = BasicAuthenticator.create(new BasicConfig("Restricted", file), Duration.ZERO, Duration.ofMinutes(2), ticker);
    return authenticator;
  }

  private BasicAuthenticator authenticatorFor(Path file) {
    authenticator = BasicAuthenticator.create(new BasicConfig("Restricted", file), Duration.ZERO, Duration.ofMinutes(2), ticker);
    return authenticator;
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(directory.resolve(name), content);
  }

  @Test
  void correctPasswordYieldsABasicIdentity() {
    AuthenticationResult result = fixtureAuthenticator().authenticate(FakeRequest.get("/").basic("bcrypt-user", "bcrypt secret"));

    assertThat(result).isEqualTo(AuthenticationResult.success(Identity.of("bcrypt-user", Identity.BASIC)));
  }

  @Test
  void wrongPasswordIsAFailureNamingTheUserButNotThePassword() {
    AuthenticationResult result = fixtureAuthenticator().authenticate(FakeRequest.get("/").basic("bcrypt-user", "guess123"));

    assertThat(result).isInstanceOf(AuthenticationResult.Failure.class);
    assertThat(((AuthenticationResult.Failure) result).reason()).contains("bcrypt-user").doesNotContain("guess123");
  }

  @Test
  void unknownUserIsAFailure() {
    assertThat(fixtureAuthenticator().authenticate(FakeRequest.get("/").basic("mallory", "x")))
        .isInstanceOf(AuthenticationResult.Failure.class);
  }

  @Test
  void noAuthorizationHeaderIsNone() {
    assertThat(fixtureAuthenticator().authenticate(FakeRequest.get("/"))).isEqualTo(AuthenticationResult.none());
  }

  @Test
  void otherSchemeIsLeftToOtherAuthenticators() {
    assertThat(fixtureAuthenticator().authenticate(FakeRequest.get("/").header("Authorization", "Bearer abc.def.ghi")))
        .isEqualTo(AuthenticationResult.none());
  }

  @Test
  void twoAuthorizationHeadersAreAFailureEvenIfOneIsValid() {
    FakeRequest request = FakeRequest.get("/").basic("bcrypt-user", "bcrypt secret").basic("mallory", "x");

    assertThat(fixtureAuthenticator().authenticate(request)).isInstanceOf(AuthenticationResult.Failure.class);
  }

  @Test
  void malformedHeaderIsAFailureNotAnException() {
    BasicAuthenticator basic = fixtureAuthenticator();

    for (String header : new String[] {"Basic", "Basic !!!!", "Basic YWxpY2U=", "Basic YWxpY2U6cHc", "Basic " + "A".repeat(100_000)}) {
      assertThat(basic.authenticate(FakeRequest.get("/").header("Authorization", header)))
          .as(header.substring(0, Math.min(header.length(), 20)))
          .isInstanceOf(AuthenticationResult.Failure.class);
    }
  }

  @Test
  void challengeNamesRealmAndUtf8Charset() {
    authenticator = BasicAuthenticator.create(new BasicConfig("Staff only", Fixtures.copy("formats.htpasswd", directory)));

    assertThat(authenticator.challenge()).contains("Basic realm=\"Staff only\", charset=\"UTF-8\"");
  }

  @Test
  void successIsCachedSoTheSameHeaderDoesNotPayBcryptAgain() {
    BasicAuthenticator basic = fixtureAuthenticator();
    FakeRequest request = FakeRequest.get("/").basic("bcrypt-user", "bcrypt secret");

    basic.authenticate(request);

    assertThat(basic.cachedSuccesses()).isEqualTo(1);
    assertThat(basic.authenticate(request)).isInstanceOf(AuthenticationResult.Success.class);
    assertThat(basic.cachedSuccesses()).isEqualTo(1);
  }

  @Test
  void failuresAreNeverCached() {
    BasicAuthenticator basic = fixtureAuthenticator();

    basic.authenticate(FakeRequest.get("/").basic("bcrypt-user", "wrong"));
    basic.authenticate(FakeRequest.get("/").basic("nobody", "wrong"));

    assertThat(basic.cachedSuccesses()).isZero();
  }

  @Test
  void cachedSuccessExpiresAfterItsTtl() {
    BasicAuthenticator basic = fixtureAuthenticator();
    basic.authenticate(FakeRequest.get("/").basic("bcrypt-user", "bcrypt secret"));

    ticker.advance(Duration.ofMinutes(3));

    assertThat(basic.cachedSuccesses()).isZero();
  }

  @Test
  void changedPasswordTakesEffectOnReloadEvenForCachedCredentials() throws IOException {
    Path file = write("htpasswd", ALICE_OLD + "\n");
    BasicAuthenticator basic = authenticatorFor(file);
    assertThat(basic.authenticate(FakeRequest.get("/").basic("alice", "old secret"))).isInstanceOf(AuthenticationResult.Success.class);

    Files.writeString(file, ALICE_NEW + "\n# rotated\n");
    basic.reloadIfChanged();

    assertThat(basic.authenticate(FakeRequest.get("/").basic("alice", "old secret"))).isInstanceOf(AuthenticationResult.Failure.class);
    assertThat(basic.authenticate(FakeRequest.get("/").basic("alice", "new secret"))).isInstanceOf(AuthenticationResult.Success.class);
  }

  @Test
  void malformedReplacementKeepsTheLastGoodFile() throws IOException {
    Path file = write("htpasswd", ALICE_OLD + "\n");
    BasicAuthenticator basic = authenticatorFor(file);

    Files.writeString(file, "alice:plaintext-password\n");
    basic.reloadIfChanged();

    assertThat(basic.generation()).isEqualTo(1);
    assertThat(basic.authenticate(FakeRequest.get("/").basic("alice", "old secret"))).isInstanceOf(AuthenticationResult.Success.class);
  }

  @Test
  void refusedReplacementMakesTheSourceUnhealthyUntilAGoodOneIsPutInForce() throws IOException {
    Path file = write("htpasswd", ALICE_OLD + "\n");
    BasicAuthenticator basic = authenticatorFor(file);
    assertThat(basic.sources()).singleElement().satisfies(status -> {
      assertThat(status.kind()).isEqualTo("htpasswd");
      assertThat(status.name()).isEqualTo(file.toString());
      assertThat(status.healthy()).isTrue();
    });

    Files.writeString(file, "alice:plaintext-password\n");
    basic.reloadIfChanged();

    assertThat(basic.sources()).singleElement().satisfies(status -> {
      assertThat(status.healthy()).isFalse();
      assertThat(status.failures()).isEqualTo(1);
      assertThat(status.successes()).isZero();
      // The reason names the line, never its content: the password stays out of health details.
      assertThat(status.lastError()).hasValueSatisfying(error -> assertThat(error).doesNotContain("plaintext-password"));
    });

    Files.writeString(file, ALICE_NEW + "\n");
    basic.reloadIfChanged();

    assertThat(basic.sources()).singleElement().satisfies(status -> {
      assertThat(status.healthy()).isTrue();
      assertThat(status.successes()).isEqualTo(1);
      assertThat(status.lastSuccess()).isPresent();
      assertThat(status.lastError()).isEmpty();
    });
  }

  @Test
  void deletedFileKeepsTheLastGoodOneAndAFixedFileIsPickedUpLater() throws IOException {
    Path file = write("htpasswd", ALICE_OLD + "\n");
    BasicAuthenticator basic = authenticatorFor(file);

    Files.delete(file);
    basic.reloadIfChanged();
    assertThat(basic.authenticate(FakeRequest.get("/").basic("alice", "old secret"))).isInstanceOf(AuthenticationResult.Success.class);

    Files.writeString(file, ALICE_NEW + "\n");
    basic.reloadIfChanged();
    assertThat(basic.generation()).isEqualTo(2);
    assertThat(basic.authenticate(FakeRequest.get("/").basic("alice", "new secret"))).isInstanceOf(AuthenticationResult.Success.class);
  }

  @Test
  void kubernetesSecretSymlinkSwapIsPickedUp() throws IOException {
    // The kubelet's layout: htpasswd -> ..data/htpasswd, ..data -> ..2026_01_01_v1, swapped by an atomic rename.
    Path v1 = Files.createDirectory(directory.resolve("..2026_v1"));
    Files.writeString(v1.resolve("htpasswd"), ALICE_OLD + "\n");
    Path data = Files.createSymbolicLink(directory.resolve("..data"), v1.getFileName());
    Path file = Files.createSymbolicLink(directory.resolve("htpasswd"), Path.of("..data", "htpasswd"));
    BasicAuthenticator basic = authenticatorFor(file);

    Path v2 = Files.createDirectory(directory.resolve("..2026_v2"));
    Files.writeString(v2.resolve("htpasswd"), ALICE_NEW + "\n");
    Path next = Files.createSymbolicLink(directory.resolve("..data_tmp"), v2.getFileName());
    Files.move(next, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    basic.reloadIfChanged();

    assertThat(basic.authenticate(FakeRequest.get("/").basic("alice", "new secret"))).isInstanceOf(AuthenticationResult.Success.class);
  }

  @Test
  void backgroundPollingPicksUpAChangeWithoutARestart() throws Exception {
    Path file = write("htpasswd", ALICE_OLD + "\n");
    authenticator = BasicAuthenticator.create(new BasicConfig("Restricted", file), Duration.ofMillis(20), Duration.ofMinutes(2), ticker);

    Files.writeString(file, ALICE_NEW + "\n# rotated\n");

    Instant deadline = Instant.now().plusSeconds(10);
    while (authenticator.generation() < 2 && Instant.now().isBefore(deadline)) {
      Thread.sleep(10);
    }
    assertThat(authenticator.authenticate(FakeRequest.get("/").basic("alice", "new secret"))).isInstanceOf(AuthenticationResult.Success.class);
  }

  @Test
  void unusableFileAtStartIsAConfigErrorNamingTheKey() throws IOException {
    Path file = write("htpasswd", "alice:plain\n");

    assertThatThrownBy(() -> authenticatorFor(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("authentication.basic.htpasswd: ")
        .hasMessageContaining("line 1");
  }
}
