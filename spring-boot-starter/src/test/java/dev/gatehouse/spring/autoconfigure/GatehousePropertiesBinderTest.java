package dev.gatehouse.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.GatehouseConfig;
import dev.gatehouse.config.JwtIssuerConfig;
import dev.gatehouse.testing.Fixtures;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** {@code gatehouse.*} is bound from the schema: Spring's relaxed names and formats, and no property left unread. */
class GatehousePropertiesBinderTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(GatehouseAutoConfiguration.class));

  @TempDir Path directory;

  private String htpasswd;

  @BeforeEach
  void htpasswd() {
    htpasswd = "gatehouse.authentication.basic.htpasswd=" + Fixtures.copy("formats.htpasswd", directory);
  }

  private static String hmacIssuer(int index) {
    return "gatehouse.authentication.jwt[" + index + "].issuer=https://issuer" + index + ".example";
  }

  private static final String SECRET = "0123456789abcdef0123456789abcdef";

  @Test
  void durationsAndSizesTakeSpringsFormatsAndTheFilesAlike() {
    runner
        .withPropertyValues(
            htpasswd,
            hmacIssuer(0),
            "gatehouse.authentication.jwt[0].hmac-secret=" + SECRET,
            "gatehouse.authentication.jwt[0].clock-skew=PT45S",
            "gatehouse.authentication.jwt[0].max-token-size=8KB",
            hmacIssuer(1),
            "gatehouse.authentication.jwt[1].hmac-secret=" + SECRET,
            "gatehouse.authentication.jwt[1].clock-skew=90",
            "gatehouse.authentication.jwt[1].max-token-size=4KiB")
        .run(
            config(
                config -> {
                  JwtIssuerConfig first = config.authentication().jwt().get(0);
                  JwtIssuerConfig second = config.authentication().jwt().get(1);
                  assertThat(first.clockSkew()).isEqualTo(Duration.ofSeconds(45));
                  assertThat(first.maxTokenSize()).isEqualTo(8 * 1024);
                  // A bare number is seconds, as in the YAML file (Spring's own default unit would be milliseconds).
                  assertThat(second.clockSkew()).isEqualTo(Duration.ofSeconds(90));
                  assertThat(second.maxTokenSize()).isEqualTo(4 * 1024);
                }));
  }

  @Test
  void relaxedNamesReachTheSameKeys() {
    runner
        .withPropertyValues(htpasswd, "gatehouse.authentication.basic.realm=Staff", hmacIssuer(0), "gatehouse.authentication.jwt[0].hmacSecret=" + SECRET, "gatehouse.authentication.jwt[0].forwardToken=true")
        .run(
            config(
                config -> {
                  assertThat(config.authentication().basic().orElseThrow().realm()).isEqualTo("Staff");
                  assertThat(config.authentication().jwt().get(0).forwardToken()).isTrue();
                }));
  }

  @Test
  void misspeltPropertyIsRefusedNamingItRatherThanIgnored() {
    runner
        .withPropertyValues(htpasswd, "gatehouse.authentication.basic.htpassword=/etc/htpasswd")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("authentication.basic.htpassword: unknown key; expected one of [realm, htpasswd, max-bcrypt-cost, max-sha-crypt-rounds, failure-budget]"));
  }

  @Test
  void misspeltPropertyInsideAListEntryIsRefusedNamingIt() {
    runner
        .withPropertyValues(htpasswd, "gatehouse.authorization.rules[0].action=allow", "gatehouse.authorization.rules[0].form.principals=admin")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("authorization.rules[0].form: unknown key"));
  }

  @Test
  void sidecarAssertionBindsWithSpringsDurationsAndTheSigningSideIsRefused() throws Exception {
    Path publicKey = dev.gatehouse.testing.TestKeys.writePem(dev.gatehouse.testing.TestKeys.ed25519(), directory, "sidecar");
    String key = "gatehouse.authentication.sidecar-assertion.verification-key=" + directory.resolve("sidecar.pub");
    runner
        .withPropertyValues(
            key,
            "gatehouse.authentication.sidecar-assertion.issuer=gatehouse-sidecar",
            "gatehouse.authentication.sidecar-assertion.audience=orders",
            "gatehouse.authentication.sidecar-assertion.clockSkew=PT2S",
            "gatehouse.authentication.sidecar-assertion.max-lifetime=30")
        .run(
            config(
                config -> {
                  assertThat(config.authentication().sidecarAssertion()).isPresent();
                  assertThat(config.authentication().sidecarAssertion().get().clockSkew()).isEqualTo(Duration.ofSeconds(2));
                  assertThat(config.authentication().sidecarAssertion().get().maxLifetime()).isEqualTo(Duration.ofSeconds(30));
                }));
    runner
        .withPropertyValues(htpasswd, "gatehouse.assertion.issuer=gatehouse-sidecar")
        .run(context -> assertThat(context).getFailure().rootCause().isInstanceOf(ConfigException.class).hasMessageStartingWith("assertion: applies to the sidecar only"));
    assertThat(publicKey).exists();
  }

  @Test
  void sidecarOnlyPropertyIsRefusedSayingWhereSpringConfiguresIt() {
    runner
        .withPropertyValues(htpasswd, "gatehouse.tls.certificate=/etc/tls.crt")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("tls: applies to the sidecar only; in Spring Boot, configure TLS with server.ssl and spring.ssl.bundle"));
  }

  @Test
  void aBadValueReadsAsInTheSidecar() {
    runner
        .withPropertyValues(htpasswd, "gatehouse.authorization.audit=sometimes")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("authorization.audit: expected denied, all or none, found sometimes"));
  }

  @Test
  void aSecretsValueNeverAppearsInTheMessage() {
    runner
        .withPropertyValues(htpasswd, hmacIssuer(0), "gatehouse.authentication.jwt[0].hmac-secret=tooshort-but-secret")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageStartingWith("authentication.jwt[0].hmac-secret: ")
                    .message()
                    .doesNotContain("tooshort-but-secret"));
  }

  private static org.springframework.boot.test.context.runner.ContextConsumer<AssertableApplicationContext> config(Consumer<GatehouseConfig> check) {
    return context -> {
      assertThat(context).hasNotFailed();
      check.accept(context.getBean(GatehouseConfig.class));
    };
  }
}
