package dev.gatehouse.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.GatehouseConfig;
import dev.gatehouse.config.TlsConfig;
import dev.gatehouse.testing.TestCertificate;
import dev.gatehouse.tls.SelfSignedCertificate;
import dev.gatehouse.config.TlsProfile;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TLS flags and their GATEHOUSE_* twins. */
class CommandLineTlsTest {

  @TempDir Path directory;

  @Test
  void tlsFlagsSetTheTlsSection() {
    TestCertificate server = TestCertificate.builder().localhostServer().build();
    String certificate = server.writeChain(directory.resolve("tls.crt")).toString();
    String key = server.writeKey(directory.resolve("tls.key")).toString();
    String ca = TestCertificate.ca("client CA").writeCertificate(directory.resolve("ca.crt")).toString();

    GatehouseConfig config =
        CommandLine.parse(
                new String[] {"--tls-cert", certificate, "--tls-key", key, "--client-ca", ca, "--client-auth=want", "--client-cert-auth"},
                Map.of("GATEHOUSE_TLS_PROFILE", "modern"))
            .load();

    TlsConfig tls = config.tls().orElseThrow();
    assertThat(tls.certificate()).hasValue(Path.of(certificate));
    assertThat(tls.clientAuth()).isEqualTo(TlsConfig.ClientAuth.WANT);
    assertThat(tls.profile()).isEqualTo(TlsProfile.MODERN);
    assertThat(config.authentication().clientCertificate()).isPresent();
  }

  @Test
  void environmentTwinsWork() {
    TestCertificate server = TestCertificate.builder().localhostServer().build();
    Map<String, String> env =
        Map.of(
            "GATEHOUSE_TLS_CERT", server.writeChain(directory.resolve("tls.crt")).toString(),
            "GATEHOUSE_TLS_KEY", server.writeKey(directory.resolve("tls.key")).toString(),
            "GATEHOUSE_CLIENT_CA", TestCertificate.ca("CA").writeCertificate(directory.resolve("ca.crt")).toString(),
            "GATEHOUSE_CLIENT_CERT_AUTH", "true");

    GatehouseConfig config = CommandLine.parse(new String[0], env).load();

    assertThat(config.tls().orElseThrow().clientAuth()).isEqualTo(TlsConfig.ClientAuth.NEED);
  }

  @Test
  void selfSignedIsOffByDefaultAndServesTheThrowawayCertificate() {
    assertThat(CommandLine.parse(new String[] {"--htpasswd", "x"}, Map.of()).selfSigned()).isFalse();
    SelfSignedCertificate selfSigned = SelfSignedCertificate.generate(directory);

    GatehouseConfig config =
        CommandLine.parse(new String[] {"--self-signed", "--client-cert-auth", "--tls-profile", "modern"}, Map.of()).load(selfSigned);

    assertThat(config.tls().orElseThrow().certificate()).hasValue(selfSigned.certificate());
    assertThat(config.tls().orElseThrow().profile()).isEqualTo(TlsProfile.MODERN);
  }

  @Test
  void selfSignedWithACertificateIsRefused() {
    assertThatThrownBy(() -> CommandLine.parse(new String[] {"--self-signed", "--tls-cert", "a.pem"}, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("--self-signed cannot be combined with --tls-cert or --tls-key");
  }

  @Test
  void helpListsTheTlsFlags() {
    assertThat(CommandLine.HELP)
        .contains(
            "--tls-cert FILE",
            "--tls-key FILE",
            "--tls-key-password-file FILE",
            "--tls-profile NAME",
            "--client-ca FILE",
            "--client-auth MODE",
            "--client-cert-auth",
            "--self-signed",
            "GATEHOUSE_TLS_CERT",
            "GATEHOUSE_TLS_KEY",
            "GATEHOUSE_CLIENT_CA",
            "GATEHOUSE_SELF_SIGNED");
  }
}
