package dev.gatehouse.authn.basic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.authn.AuthenticationResult;
import dev.gatehouse.config.BasicConfig;
import dev.gatehouse.config.ConfigException;
import dev.gatehouse.testing.FakeRequest;
import dev.gatehouse.testing.FakeTicker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.commons.codec.digest.Sha2Crypt;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 15, class 5: the cost an attacker can force through HTTP Basic. Cost is measured as bcrypt computations and
 * their costs ({@link PasswordHash.Work}), never by a wall clock: one computation at cost c is 2^c units of work.
 */
class BasicCostTest {

  @TempDir Path directory;
  private final FakeTicker ticker = new FakeTicker();
  private final List<Integer> runs = new CopyOnWriteArrayList<>();
  private BasicAuthenticator authenticator;

  @AfterEach
  void close() {
    if (authenticator != null) {
      authenticator.close();
    }
  }

  private static String bcrypt(String password, int cost) {
    return OpenBSDBCrypt.generate("2y", password.getBytes(StandardCharsets.UTF_8), new byte[16], cost);
  }

  private Path htpasswd(String... lines) throws IOException {
    return Files.writeString(directory.resolve("htpasswd"), String.join("\n", lines) + "\n");
  }

  private BasicAuthenticator start(Path file, BasicConfig.FailureBudget budget) {
    BasicConfig config = new BasicConfig("Restricted", file, BasicConfig.DEFAULT_MAX_BCRYPT_COST, BasicConfig.DEFAULT_MAX_SHA_CRYPT_ROUNDS, budget);
    authenticator = BasicAuthenticator.create(config, Duration.ZERO, Duration.ofMinutes(2), ticker, runs::add);
    return authenticator;
  }

  private AuthenticationResult login(String user, String password, String peer) {
    return authenticator.authenticate(FakeRequest.get("/").basic(user, password).remoteAddress(peer));
  }

  private long work() {
    long units = 0;
    for (int cost : runs) {
      units += 1L << cost;
    }
    runs.clear();
    return units;
  }

  // --- known and unknown users cost the same

  @Test
  void inAFileOfMixedCostsKnownAndUnknownUsersCostTheTypicalCost() throws IOException {
    Path file =
        htpasswd(
            "cheap:" + bcrypt("cheap secret", 4),
            "typical-1:" + bcrypt("typical secret", 6),
            "typical-2:" + bcrypt("typical secret", 6),
            "typical-3:" + bcrypt("typical secret", 6),
            "dear:" + bcrypt("dear secret", 9));
    start(file, BasicConfig.FailureBudget.NONE);

    login("nobody", "wrong", "10.0.0.1");
    long unknown = work();
    login("typical-1", "wrong", "10.0.0.1");
    long typical = work();
    login("cheap", "wrong", "10.0.0.1");
    long cheap = work();

    assertThat(unknown).as("the decoy is of the median cost, not the dearest entry's").isEqualTo(1L << 6);
    assertThat(typical).isEqualTo(unknown);
    assertThat(cheap).as("a cost-4 entry is padded up to cost 6").isEqualTo(unknown);
  }

  @Test
  void aCheapFormatInABcryptFileIsPaddedToo() throws IOException {
    Path file = htpasswd("a:" + bcrypt("a", 5), "b:" + bcrypt("b", 5), "sha:" + Sha2Crypt.sha512Crypt("sha secret".getBytes(StandardCharsets.UTF_8)));
    start(file, BasicConfig.FailureBudget.NONE);

    login("nobody", "wrong", "10.0.0.1");
    long unknown = work();
    login("sha", "wrong", "10.0.0.1");

    assertThat(work()).isEqualTo(unknown).isEqualTo(1L << 5);
  }

  @Test
  void oneExpensiveEntryDoesNotMakeEveryUnknownUserExpensive() throws IOException {
    Path file = htpasswd("a:" + bcrypt("a", 4), "b:" + bcrypt("b", 4), "c:" + bcrypt("c", 12));
    start(file, BasicConfig.FailureBudget.NONE);

    login("nobody", "wrong", "10.0.0.1");

    assertThat(runs).containsExactly(4);
  }

  @Test
  void successIsPaddedLikeFailureSoTimingTellsNothingEither() throws IOException {
    Path file = htpasswd("cheap:" + bcrypt("cheap secret", 4), "t1:" + bcrypt("x", 5), "t2:" + bcrypt("x", 5));
    start(file, BasicConfig.FailureBudget.NONE);

    assertThat(login("cheap", "cheap secret", "10.0.0.1")).isInstanceOf(AuthenticationResult.Success.class);
    assertThat(work()).isEqualTo(1L << 5);
  }

  // --- ceilings at load

  @Test
  void bcryptCostAboveTheCeilingIsRefusedAtLoadNamingTheLine() throws IOException {
    Path file = htpasswd("# users", "alice:" + bcrypt("a", 4), "mallory:$2y$20$" + "a".repeat(53));

    assertThatThrownBy(() -> start(file, BasicConfig.FailureBudget.DEFAULT))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "authentication.basic.htpasswd: "
                + file
                + " line 3 (user mallory): bcrypt cost 20 is above the ceiling of 14 (authentication.basic.max-bcrypt-cost)");
  }

  @Test
  void ceilingIsConfigurable() throws IOException {
    Path file = htpasswd("alice:" + bcrypt("a", 6));
    BasicConfig config = new BasicConfig("Restricted", file, 5, BasicConfig.DEFAULT_MAX_SHA_CRYPT_ROUNDS, BasicConfig.FailureBudget.NONE);

    assertThatThrownBy(() -> BasicAuthenticator.create(config, Duration.ZERO, Duration.ofMinutes(2), ticker))
        .hasMessageContaining("line 1 (user alice): bcrypt cost 6 is above the ceiling of 5");
  }

  @Test
  void shaCryptRoundsAboveTheCeilingAreRefusedAtLoad() throws IOException {
    Path file = htpasswd("alice:$6$rounds=999999999$saltsalt$" + "a".repeat(86));

    assertThatThrownBy(() -> start(file, BasicConfig.FailureBudget.NONE))
        .hasMessageContaining("line 1 (user alice): SHA-crypt rounds 999999999 are above the ceiling of 1000000 (authentication.basic.max-sha-crypt-rounds)");
  }

  @ParameterizedTest
  @ValueSource(strings = {" alice", "alice ", "alice\t", "\u00a0alice", "alice\u3000", "\ufeffalice"})
  void userNameWithWhitespaceAtAnEndIsRefusedAtLoad(String user) throws IOException {
    Path file = htpasswd(user + ":" + bcrypt("a", 4));

    assertThatThrownBy(() -> start(file, BasicConfig.FailureBudget.NONE))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("line 1: user name")
        .hasMessageContaining("has whitespace at its start or end");
  }

  @Test
  void hashOfAnEmptyPasswordIsRefusedAtLoad() throws IOException {
    Path file = htpasswd("alice:" + Sha2Crypt.sha256Crypt(new byte[0]));

    assertThatThrownBy(() -> start(file, BasicConfig.FailureBudget.NONE))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("line 1 (user alice): the hash of an empty password");
  }

  @Test
  void emptyPasswordIsRefusedAtLoginWithoutAHashEvenForABcryptEntryOfIt() throws IOException {
    // bcrypt entries are not tried against the empty password at load (a bcrypt run each); login refuses it instead.
    start(htpasswd("alice:" + bcrypt("", 4).replace("$2y$04$", "$2y$04$")), BasicConfig.FailureBudget.NONE);

    assertThat(login("alice", "", "10.0.0.1")).isEqualTo(AuthenticationResult.failure("empty password for user 'alice'"));
    assertThat(runs).isEmpty();
  }

  // --- 72 bytes

  @Test
  void passwordLongerThan72BytesIsRefusedAtLoginNotTruncated() throws IOException {
    String password = "p".repeat(72);
    start(htpasswd("alice:" + bcrypt(password, 4)), BasicConfig.FailureBudget.NONE);

    assertThat(login("alice", password, "10.0.0.1")).isInstanceOf(AuthenticationResult.Success.class);
    runs.clear();
    AuthenticationResult longer = login("alice", password + "anything", "10.0.0.1");

    assertThat(longer).isEqualTo(AuthenticationResult.failure("password longer than 72 bytes for user 'alice' (80 bytes)"));
    assertThat(runs).as("refused before any hash").isEmpty();
  }

  @Test
  void seventyTwoBytesAreCountedInUtf8() throws IOException {
    String password = "ü".repeat(37); // 74 bytes, 37 characters
    start(htpasswd("alice:" + bcrypt("x", 4)), BasicConfig.FailureBudget.NONE);

    assertThat(login("alice", password, "10.0.0.1")).isEqualTo(AuthenticationResult.failure("password longer than 72 bytes for user 'alice' (74 bytes)"));
  }

  // --- failure budget

  @Test
  void peerThatSpentItsBudgetIsThrottledWithoutABcryptRun() throws IOException {
    start(htpasswd("alice:" + bcrypt("alice secret", 4)), new BasicConfig.FailureBudget(3, Duration.ofSeconds(2), 100, Duration.ofSeconds(1)));
    for (int i = 0; i < 3; i++) {
      assertThat(login("user" + i, "wrong", "10.0.0.9")).isInstanceOf(AuthenticationResult.Failure.class);
    }
    runs.clear();

    AuthenticationResult fourth = login("user3", "wrong", "10.0.0.9");

    assertThat(fourth).isInstanceOfSatisfying(AuthenticationResult.Throttled.class, throttled -> {
      assertThat(throttled.retryAfter()).isEqualTo(Duration.ofSeconds(2));
      assertThat(throttled.reason()).isEqualTo("failure budget spent (peer) for user 'user3' from '10.0.0.9'");
    });
    assertThat(login("alice", "alice secret", "10.0.0.9")).as("even the right password waits").isInstanceOf(AuthenticationResult.Throttled.class);
    assertThat(runs).isEmpty();
  }

  @Test
  void budgetRefillsOneAttemptPerInterval() throws IOException {
    start(htpasswd("alice:" + bcrypt("alice secret", 4)), new BasicConfig.FailureBudget(2, Duration.ofSeconds(1), 100, Duration.ofSeconds(1)));
    login("x", "wrong", "10.0.0.9");
    login("x", "wrong", "10.0.0.9");
    assertThat(login("x", "wrong", "10.0.0.9")).isInstanceOf(AuthenticationResult.Throttled.class);

    ticker.advance(Duration.ofMillis(999));
    assertThat(login("x", "wrong", "10.0.0.9")).isInstanceOfSatisfying(AuthenticationResult.Throttled.class, t -> assertThat(t.retryAfter()).isEqualTo(Duration.ofMillis(1)));
    ticker.advance(Duration.ofMillis(1));
    assertThat(login("alice", "alice secret", "10.0.0.9")).isInstanceOf(AuthenticationResult.Success.class);
    assertThat(login("x", "wrong", "10.0.0.9")).as("the success gave its token back").isInstanceOf(AuthenticationResult.Failure.class);
    assertThat(login("x", "wrong", "10.0.0.9")).isInstanceOf(AuthenticationResult.Throttled.class);
  }

  @Test
  void failingAliceFromManyPeersNeverStopsAliceAtHerOwnPeer() throws IOException {
    start(htpasswd("alice:" + bcrypt("alice secret", 4)), new BasicConfig.FailureBudget(20, Duration.ofSeconds(1), 3, Duration.ofMinutes(1)));
    for (int peer = 1; peer <= 50; peer++) {
      for (int i = 0; i < 5; i++) {
        login("alice", "guess " + i, "203.0.113." + peer);
      }
    }
    assertThat(login("alice", "guess", "203.0.113.7")).as("the attacker's own user budget is spent").isInstanceOf(AuthenticationResult.Throttled.class);

    assertThat(login("alice", "alice secret", "192.0.2.10")).isInstanceOf(AuthenticationResult.Success.class);
  }

  @Test
  void perUserBudgetStopsGuessingOneUserFromOnePeerBeforeThePeerBudget() throws IOException {
    start(htpasswd("alice:" + bcrypt("alice secret", 4), "bob:" + bcrypt("bob secret", 4)), new BasicConfig.FailureBudget(20, Duration.ofSeconds(1), 3, Duration.ofMinutes(1)));
    for (int i = 0; i < 3; i++) {
      login("alice", "guess " + i, "10.0.0.9");
    }

    assertThat(login("alice", "alice secret", "10.0.0.9")).isInstanceOfSatisfying(AuthenticationResult.Throttled.class, t -> assertThat(t.reason()).contains("(user)"));
    assertThat(login("bob", "bob secret", "10.0.0.9")).isInstanceOf(AuthenticationResult.Success.class);
  }

  @Test
  void oneIpv6HostCannotMintABudgetPerAddressInIts64() throws IOException {
    start(htpasswd("alice:" + bcrypt("alice secret", 4)), new BasicConfig.FailureBudget(2, Duration.ofMinutes(1), 100, Duration.ofSeconds(1)));
    login("x", "wrong", "2001:db8:1:2::1");
    login("x", "wrong", "[2001:db8:1:2:ffff::9]");

    assertThat(login("x", "wrong", "2001:db8:1:2:0:0:0:3")).isInstanceOf(AuthenticationResult.Throttled.class);
    assertThat(login("x", "wrong", "2001:db8:1:3::1")).isInstanceOf(AuthenticationResult.Failure.class);
  }

  @Test
  void concurrentGuessesCannotSlipPastANearlyEmptyBudget() throws Exception {
    start(htpasswd("alice:" + bcrypt("alice secret", 4)), new BasicConfig.FailureBudget(5, Duration.ofHours(1), 100, Duration.ofSeconds(1)));
    int threads = 32;
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      List<java.util.concurrent.Future<AuthenticationResult>> results = new java.util.ArrayList<>();
      for (int i = 0; i < threads; i++) {
        int n = i;
        results.add(pool.submit(() -> {
          go.await();
          return login("alice", "guess " + n, "10.0.0.9");
        }));
      }
      go.countDown();
      long throttled = 0;
      for (java.util.concurrent.Future<AuthenticationResult> result : results) {
        if (result.get() instanceof AuthenticationResult.Throttled) {
          throttled++;
        }
      }

      assertThat(runs).as("one bcrypt run per token, however many arrive at once").hasSize(5);
      assertThat(throttled).isEqualTo(threads - 5);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void cachedSuccessNeedsNoBudget() throws IOException {
    start(htpasswd("alice:" + bcrypt("alice secret", 4)), new BasicConfig.FailureBudget(1, Duration.ofMinutes(1), 1, Duration.ofMinutes(1)));
    assertThat(login("alice", "alice secret", "10.0.0.9")).isInstanceOf(AuthenticationResult.Success.class);
    login("alice", "wrong", "10.0.0.9");

    assertThat(login("alice", "alice secret", "10.0.0.9")).isInstanceOf(AuthenticationResult.Success.class);
  }
}
