package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.testing.TestCertificate;
import dev.gatehouse.config.TlsProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code tls} and {@code authentication.client-certificate} sections. */
class TlsConfigBinderTest {

  @TempDir Path directory;
  private String certificate;
  private String key;
  private String ca;

  @BeforeEach
  void files() {
    TestCertificate server = TestCertificate.builder().localhostServer().build();
    certificate = server.writeChain(directory.resolve("tls.crt")).toString();
    key = server.writeKey(directory.resolve("tls.key")).toString();
    ca = TestCertificate.ca("client CA").writeCertificate(directory.resolve("ca.crt")).toString();
  }

  private GatehouseConfig load(String tls) throws IOException {
    Path yaml = directory.resolve("gatehouse.yaml");
    Files.writeString(
        yaml,
        ("tls: " + tls + "\nauthentication: {client-certificate: {}}\n").replace("CERT", certificate).replace("KEY", key).replace("CA", ca));
    return ConfigLoader.load(yaml);
  }

  @Test
  void fullSectionBinds() throws IOException {
    TlsConfig tls =
        load("{certificate: CERT, private-key: KEY, client-ca: CA, client-auth: want, profile: modern}").tls().orElseThrow();

    assertThat(tls.certificate()).hasValue(Path.of(certificate).toAbsolutePath());
    assertThat(tls.clientAuth()).isEqualTo(TlsConfig.ClientAuth.WANT);
    assertThat(tls.profile()).isEqualTo(TlsProfile.MODERN);
    assertThat(tls.protocols()).containsExactly("TLSv1.3");
    assertThat(tls.cipherSuites()).containsExactly("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");
  }

  @Test
  void defaultsAreIntermediateWithoutClientAuthentication() throws IOException {
    TlsConfig tls = load("{certificate: CERT, private-key: KEY}").tls().orElseThrow();

    assertThat(tls.profile()).isEqualTo(TlsProfile.INTERMEDIATE);
    assertThat(tls.protocols()).containsExactly("TLSv1.3", "TLSv1.2");
    assertThat(tls.cipherSuites()).allMatch(suite -> suite.contains("GCM") || suite.contains("CHACHA20")).noneMatch(suite -> suite.contains("CBC"));
    assertThat(tls.clientAuth()).isEqualTo(TlsConfig.ClientAuth.NONE);
  }

  @Test
  void clientCaAloneTurnsOnMutualTls() throws IOException {
    assertThat(load("{certificate: CERT, private-key: KEY, client-ca: CA}").tls().orElseThrow().clientAuth()).isEqualTo(TlsConfig.ClientAuth.NEED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1", "TLSv1.1", "SSLv3"})
  void oldProtocolsAreRefused(String protocol) {
    assertThatThrownBy(() -> load("{certificate: CERT, private-key: KEY, protocols: [" + protocol + "]}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("tls.protocols: " + protocol + " is not allowed");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        "TLS_RSA_WITH_AES_128_GCM_SHA256",
        "SSL_RSA_WITH_RC4_128_SHA",
        "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_DH_anon_WITH_AES_128_GCM_SHA256",
        "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"
      })
  void weakCipherSuitesAreRefused(String suite) {
    assertThatThrownBy(() -> load("{certificate: CERT, private-key: KEY, cipher-suites: [TLS_AES_128_GCM_SHA256, " + suite + "]}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("tls.cipher-suites: " + suite + " is not allowed");
  }

  @Test
  void unknownCipherSuiteIsRefused() {
    assertThatThrownBy(() -> load("{certificate: CERT, private-key: KEY, cipher-suites: [TLS_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_512_GCM_SHA384]}"))
        .hasMessageStartingWith("tls.cipher-suites: TLS_ECDHE_RSA_WITH_AES_512_GCM_SHA384 is not allowed");
  }

  @Test
  void overridesNarrowTheProfile() throws IOException {
    TlsConfig tls =
        load("{certificate: CERT, private-key: KEY, protocols: [TLSv1.2], cipher-suites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]}").tls().orElseThrow();

    assertThat(tls.protocols()).containsExactly("TLSv1.2");
    assertThat(tls.cipherSuites()).containsExactly("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
  }

  @Test
  void protocolLeftWithoutASuiteIsRefused() {
    assertThatThrownBy(() -> load("{certificate: CERT, private-key: KEY, cipher-suites: [TLS_AES_128_GCM_SHA256]}"))
        .hasMessage("tls.cipher-suites: has no TLS 1.2 suite (TLS_ECDHE_..._GCM_...) although TLSv1.2 is enabled");
    assertThatThrownBy(() -> load("{certificate: CERT, private-key: KEY, profile: modern, cipher-suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]}"))
        .hasMessageContaining("has no TLS 1.3 suite");
  }

  @Test
  void flagStyleCommaSeparatedListsBind() {
    Map<String, String> overrides = new LinkedHashMap<>();
    overrides.put("tls.certificate", certificate);
    overrides.put("tls.private-key", key);
    overrides.put("tls.protocols", "TLSv1.3");
    overrides.put("tls.cipher-suites", "TLS_AES_256_GCM_SHA384, TLS_AES_128_GCM_SHA256");
    overrides.put("authentication.client-certificate.enabled", "true");

    TlsConfig tls = ConfigLoader.load(Optional.empty(), overrides).tls().orElseThrow();

    assertThat(tls.cipherSuites()).containsExactly("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256");
  }

  @Test
  void combinationsAreChecked() {
    assertThatThrownBy(() -> load("{certificate: CERT}")).hasMessage("tls.private-key: certificate and private-key go together");
    assertThatThrownBy(() -> load("{profile: modern}")).hasMessage("tls: give certificate and private-key (PEM), or keystore (PKCS#12)");
    assertThatThrownBy(() -> load("{certificate: CERT, private-key: KEY, keystore: CERT}"))
        .hasMessage("tls.keystore: give either certificate and private-key, or keystore, not both");
    assertThatThrownBy(() -> load("{certificate: CERT, private-key: KEY, client-auth: need}")).hasMessage("tls.client-auth: need needs client-ca or authentication.client-certificate.trust-domains");
    assertThatThrownBy(() -> load("{certificate: CERT, private-key: KEY, client-ca: CA, client-auth: none}"))
        .hasMessage("tls.client-auth: none, but client-ca or crl is set; they need client-auth want or need");
    assertThatThrownBy(() -> load("{certificate: CERT, private-key: KEY, client-auth: maybe}"))
        .hasMessage("tls.client-auth: expected none, want or need, found maybe");
    assertThatThrownBy(() -> load("{certificate: CERT, private-key: KEY, profile: old}"))
        .hasMessage("tls.profile: expected modern or intermediate, found old");
    assertThatThrownBy(() -> load("{certificate: CERT, private-key: KEY, ciphers: [x]}")).hasMessageStartingWith("tls.ciphers: unknown key");
    assertThatThrownBy(() -> load("{certificate: /nonexistent/tls.crt, private-key: KEY}")).hasMessage("tls.certificate: no such file /nonexistent/tls.crt");
  }

  @Test
  void passwordsNeverAppearInMessagesOrToString() throws IOException {
    TlsConfig tls = load("{certificate: CERT, private-key: KEY, private-key-password: hunter2}").tls().orElseThrow();

    assertThat(tls.toString()).doesNotContain("hunter2").contains("(redacted)");
    assertThatThrownBy(() -> load("{certificate: CERT, private-key: KEY, private-key-password: hunter2, private-key-password-file: CERT}"))
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void clientCertificateSectionTurnsTheMethodOn() throws IOException {
    Files.writeString(directory.resolve("a.yaml"), "authentication: {client-certificate: {}}\n");
    assertThat(ConfigLoader.load(directory.resolve("a.yaml")).authentication().clientCertificate()).isPresent();

    Files.writeString(directory.resolve("b.yaml"), "authentication: {client-certificate: {enabled: false}}\n");
    assertThatThrownBy(() -> ConfigLoader.load(directory.resolve("b.yaml"))).hasMessageStartingWith("authentication: configure at least one method");

    Files.writeString(directory.resolve("c.yaml"), "authentication: {client-certificate: {trust: x}}\n");
    assertThatThrownBy(() -> ConfigLoader.load(directory.resolve("c.yaml"))).hasMessageStartingWith("authentication.client-certificate.trust: unknown key");
  }

  @Test
  void listsAreListsOfValues() {
    assertThatThrownBy(() -> load("{certificate: CERT, private-key: KEY, protocols: [[TLSv1.3]]}")).hasMessage("tls.protocols[0]: expected a single value, found a list");
  }
}
