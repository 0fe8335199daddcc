package dev.gatehouse.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Decision;
import dev.gatehouse.Gatehouse;
import dev.gatehouse.Identities;
import dev.gatehouse.authn.assertion.SidecarAssertion;
import dev.gatehouse.config.AssertionConfig;
import dev.gatehouse.config.SidecarAssertionConfig;
import dev.gatehouse.http.IdentityHeaders;
import dev.gatehouse.testing.FakeRequest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keygen}: a pair the sidecar signs with and the application verifies with, the private half mode 0600. */
class KeyGeneratorTest {

  @TempDir Path directory;

  @Test
  void writesAPairTheTwoEndsUseWithThePrivateKeyReadableByItsOwnerOnly() throws Exception {
    Path out = directory.resolve("keys");
    assertThat(KeyGenerator.run(new String[] {"keygen", "--out", out.toString()}, quiet(), quiet())).isZero();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve(KeyGenerator.PRIVATE_KEY)))).isEqualTo("rw-------");
    assertThat(Files.readString(out.resolve(KeyGenerator.PRIVATE_KEY))).startsWith("-----BEGIN PRIVATE KEY-----\n");
    assertThat(Files.readString(out.resolve(KeyGenerator.JWKS))).contains("\"kty\":\"OKP\"", "\"kid\"").doesNotContain("\"d\"");

    String assertion =
        SidecarAssertion.signer(new AssertionConfig(Optional.of(out.resolve(KeyGenerator.PRIVATE_KEY)), Optional.empty(), Optional.empty(), "s", "a", Duration.ofSeconds(10)))
            .sign(Identities.ANONYMOUS, "GET", "/");
    for (String verificationKey : new String[] {KeyGenerator.PUBLIC_KEY, KeyGenerator.JWKS}) {
      SidecarAssertionConfig config = new SidecarAssertionConfig(Optional.of(out.resolve(verificationKey)), Optional.empty(), "s", "a", Duration.ofSeconds(5), Duration.ofSeconds(60));
      try (Gatehouse app = Gatehouse.builder().authenticator(SidecarAssertion.authenticator(config)).build()) {
        assertThat(app.decide(FakeRequest.get("/").header(IdentityHeaders.ASSERTION, assertion))).as(verificationKey).isInstanceOf(Decision.Challenge.class);
        // Anonymous and no rules: refused by the rules, not by the signature, as the reason says.
        assertThat(((Decision.Challenge) app.decide(FakeRequest.get("/").header(IdentityHeaders.ASSERTION, assertion))).reason()).doesNotContain("signature");
      }
    }
  }

  @Test
  void neverOverwritesAKey() throws Exception {
    assertThat(KeyGenerator.run(new String[] {"keygen", "--out", directory.toString()}, quiet(), quiet())).isZero();
    String before = Files.readString(directory.resolve(KeyGenerator.PRIVATE_KEY));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertThat(KeyGenerator.run(new String[] {"keygen", "--out", directory.toString()}, quiet(), new PrintStream(err, true, StandardCharsets.UTF_8))).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("exists; not overwriting");
    assertThat(Files.readString(directory.resolve(KeyGenerator.PRIVATE_KEY))).isEqualTo(before);
    assertThat(KeyGenerator.run(new String[] {"keygen"}, quiet(), quiet())).isEqualTo(2);
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }
}
