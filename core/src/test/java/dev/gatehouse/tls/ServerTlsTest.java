package dev.gatehouse.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.config.TlsConfig;
import dev.gatehouse.testing.Fixtures;
import dev.gatehouse.testing.TestCertificate;
import dev.gatehouse.testing.TestCertificate.KeyType;
import dev.gatehouse.testing.TestCertificate.Usage;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** ServerTls over real handshakes between JDK sockets, with certificates made at test time and by openssl. */
class ServerTlsTest {

  @TempDir Path directory;

  private final TestCertificate serverCa = TestCertificate.ca("server CA");
  private final TestCertificate server = TestCertificate.builder().commonName("server").localhostServer().issuedBy(serverCa).build();
  private final TestCertificate clientCa = TestCertificate.ca("client CA");

  private ServerTls tls;
  private TlsEndpoint endpoint;

  @AfterEach
  void stop() throws IOException {
    if (endpoint != null) {
      endpoint.close();
    }
    if (tls != null) {
      tls.close();
    }
  }

  private Map<String, Object> pem(TestCertificate certificate) {
    Map<String, Object> tls = new LinkedHashMap<>();
    tls.put("certificate", certificate.writeChain(directory.resolve("tls.crt")).toString());
    tls.put("private-key", certificate.writeKey(directory.resolve("tls.key")).toString());
    return tls;
  }

  static TlsConfig config(Map<String, Object> tls) {
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("tls", tls);
    tree.put("authentication", Map.of("client-certificate", Map.of()));
    return ConfigLoader.fromTree(tree).tls().orElseThrow();
  }

  private TlsEndpoint start(Map<String, Object> tlsTree) throws IOException {
    tls = ServerTls.create(config(tlsTree), Duration.ZERO);
    endpoint = new TlsEndpoint(tls);
    return endpoint;
  }

  private Map<String, Object> mutual(Map<String, Object> tls, String clientAuth) {
    tls.put("client-ca", clientCa.writeCertificate(directory.resolve("client-ca.crt")).toString());
    tls.put("client-auth", clientAuth);
    return tls;
  }

  private TestCertificate client(String name) {
    return TestCertificate.builder().commonName(name).usage(Usage.CLIENT).issuedBy(clientCa).build();
  }

  @ParameterizedTest
  @EnumSource(KeyType.class)
  void servesTheConfiguredCertificateForEveryKeyType(KeyType keyType) throws Exception {
    TestCertificate certificate = TestCertificate.builder().commonName("server").keyType(keyType).localhostServer().issuedBy(serverCa).build();
    start(pem(certificate));

    X509Certificate served = endpoint.connect(TestCertificate.clientContext(serverCa.certificate()));

    assertThat(served).isEqualTo(certificate.certificate());
    assertThat(tls.status().certificateNotAfter()).isEqualTo(certificate.certificate().getNotAfter().toInstant());
  }

  @ParameterizedTest
  @CsvSource({"rsa.crt, rsa-pkcs1.key", "ec.crt, ec-sec1.key", "ed25519.crt, ed25519-pkcs8.key"})
  void loadsKeysMadeByOpenssl(String certificate, String key) throws Exception {
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("certificate", Fixtures.copy("tls/" + certificate, directory).toString());
    tree.put("private-key", Fixtures.copy("tls/" + key, directory).toString());
    start(tree);

    X509Certificate served = endpoint.connect(TestCertificate.trustingAnyServer(null));

    assertThat(served.getSubjectX500Principal().getName()).startsWith("CN=openssl-");
  }

  @Test
  void encryptedPkcs8FromOpensslLoadsWithItsPassword() throws Exception {
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("certificate", Fixtures.copy("tls/rsa.crt", directory).toString());
    tree.put("private-key", Fixtures.copy("tls/rsa-encrypted-pkcs8.key", directory).toString());
    tree.put("private-key-password", "fixture password");
    start(tree);

    assertThat(endpoint.connect(TestCertificate.trustingAnyServer(null)).getSubjectX500Principal().getName()).isEqualTo("CN=openssl-rsa");
  }

  @Test
  void encryptedPkcs8WithoutPasswordFailsClearly() {
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("certificate", Fixtures.copy("tls/rsa.crt", directory).toString());
    tree.put("private-key", Fixtures.copy("tls/rsa-encrypted-pkcs8.key", directory).toString());

    assertThatThrownBy(() -> ServerTls.create(config(tree), Duration.ZERO))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("tls.private-key: /")
        .hasMessageEndingWith("rsa-encrypted-pkcs8.key: the private key is encrypted; give private-key-password");
  }

  @Test
  void encryptedPkcs8WithWrongPasswordFailsClearlyWithoutThePassword() {
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("certificate", Fixtures.copy("tls/rsa.crt", directory).toString());
    tree.put("private-key", Fixtures.copy("tls/rsa-encrypted-pkcs8.key", directory).toString());
    tree.put("private-key-password", "not the password");

    assertThatThrownBy(() -> ServerTls.create(config(tree), Duration.ZERO))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("tls.private-key: ")
        .hasMessageEndingWith("rsa-encrypted-pkcs8.key: cannot decrypt the private key: wrong password")
        .hasMessageNotContaining("not the password");
  }

  @Test
  void encryptedPkcs8MadeByBouncyCastleLoadsWithItsPassword() throws Exception {
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("certificate", server.writeChain(directory.resolve("tls.crt")).toString());
    tree.put("private-key", TestCertificate.write(directory.resolve("tls.key"), server.encryptedPkcs8Pem("s3cret")).toString());
    Files.writeString(directory.resolve("password"), "s3cret\n");
    tree.put("private-key-password-file", directory.resolve("password").toString());
    start(tree);

    assertThat(endpoint.connect(TestCertificate.clientContext(serverCa.certificate()))).isEqualTo(server.certificate());
  }

  @Test
  void traditionalPemKeysLoad() throws Exception {
    TestCertificate rsa = TestCertificate.builder().keyType(KeyType.RSA).localhostServer().issuedBy(serverCa).build();
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("certificate", rsa.writeChain(directory.resolve("tls.crt")).toString());
    tree.put("private-key", TestCertificate.write(directory.resolve("tls.key"), rsa.traditionalPem()).toString());
    assertThat(Files.readString(directory.resolve("tls.key"))).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    start(tree);

    assertThat(endpoint.connect(TestCertificate.clientContext(serverCa.certificate()))).isEqualTo(rsa.certificate());
  }

  @Test
  void pkcs12FromOpensslLoadsWithItsPassword() throws Exception {
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("keystore", Fixtures.copy("tls/ec.p12", directory).toString());
    tree.put("keystore-password", "fixture password");
    start(tree);

    assertThat(endpoint.connect(TestCertificate.trustingAnyServer(null)).getSubjectX500Principal().getName()).isEqualTo("CN=openssl-ec");
  }

  @Test
  void pkcs12WithWrongPasswordFailsClearly() {
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("keystore", Fixtures.copy("tls/ec.p12", directory).toString());
    tree.put("keystore-password", "wrong");

    assertThatThrownBy(() -> ServerTls.create(config(tree), Duration.ZERO))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("tls.keystore: ")
        .hasMessageContaining("wrong keystore-password");
  }

  @Test
  void keyThatDoesNotMatchTheCertificateIsRefusedAtStart() {
    TestCertificate other = TestCertificate.builder().localhostServer().issuedBy(serverCa).build();
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("certificate", server.writeChain(directory.resolve("tls.crt")).toString());
    tree.put("private-key", other.writeKey(directory.resolve("tls.key")).toString());

    assertThatThrownBy(() -> ServerTls.create(config(tree), Duration.ZERO))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("tls.private-key: ")
        .hasMessageContaining("the private key does not match the certificate CN=server")
        .hasMessageNotContaining("\n");
  }

  @Test
  void expiredCertificateIsRefusedAtStart() {
    TestCertificate expired =
        TestCertificate.builder().commonName("old").localhostServer().issuedBy(serverCa)
            .validity(Instant.now().minus(Duration.ofDays(10)), Instant.now().minus(Duration.ofDays(1))).build();

    assertThatThrownBy(() -> ServerTls.create(config(pem(expired)), Duration.ZERO))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("tls.certificate: ")
        .hasMessageContaining("the certificate CN=old expired on");
  }

  @Test
  void fileWithoutCertificateIsRefusedAtStart() throws IOException {
    Map<String, Object> tree = pem(server);
    Files.writeString(directory.resolve("tls.crt"), server.pkcs8Pem());

    assertThatThrownBy(() -> ServerTls.create(config(tree), Duration.ZERO))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("tls.certificate: ")
        .hasMessageEndingWith("tls.crt: no certificate in file (expected -----BEGIN CERTIFICATE-----)");
  }

  /** The canary for the next test: this JVM's client really can speak TLS 1.1 (see legacy-tls-allowed.security). */
  @Test
  void testClientCanSpeakTls11ToAServerThatAllowsIt() throws Exception {
    javax.net.ssl.KeyManagerFactory keys = javax.net.ssl.KeyManagerFactory.getInstance("NewSunX509");
    java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("server", server.privateKey(), "pw".toCharArray(), server.chain().toArray(X509Certificate[]::new));
    keys.init(store, "pw".toCharArray());
    SSLContext legacy = SSLContext.getInstance("TLS");
    legacy.init(keys.getKeyManagers(), null, null);
    try (javax.net.ssl.SSLServerSocket listener =
        (javax.net.ssl.SSLServerSocket) legacy.getServerSocketFactory().createServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      listener.setEnabledProtocols(new String[] {"TLSv1.1"});
      Thread acceptor = new Thread(() -> {
        try (javax.net.ssl.SSLSocket accepted = (javax.net.ssl.SSLSocket) listener.accept()) {
          accepted.startHandshake();
          accepted.getOutputStream().write("ok\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        } catch (IOException e) {
          // the client's assertion reports it
        }
      });
      acceptor.start();
      try (javax.net.ssl.SSLSocket client =
          (javax.net.ssl.SSLSocket) TestCertificate.clientContext(serverCa.certificate()).getSocketFactory().createSocket(java.net.InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
        client.setEnabledProtocols(new String[] {"TLSv1.1"});
        client.startHandshake();
        assertThat(client.getSession().getProtocol()).isEqualTo("TLSv1.1");
      }
      acceptor.join(10_000);
    }
  }

  @Test
  void tls11ClientIsRefused() throws Exception {
    start(pem(server));

    assertThatThrownBy(() -> endpoint.connect(TestCertificate.clientContext(serverCa.certificate()), "TLSv1.1"))
        .isInstanceOf(IOException.class);
  }

  @Test
  void modernProfileRefusesTls12Client() throws Exception {
    Map<String, Object> tree = pem(server);
    tree.put("profile", "modern");
    start(tree);

    assertThatThrownBy(() -> endpoint.connect(TestCertificate.clientContext(serverCa.certificate()), "TLSv1.2"))
        .isInstanceOf(IOException.class);
    endpoint.connect(TestCertificate.clientContext(serverCa.certificate()), "TLSv1.3");
    assertThat(endpoint.next().failure()).isNotNull();
    assertThat(endpoint.next().protocol()).isEqualTo("TLSv1.3");
  }

  @Test
  void intermediateProfileAcceptsTls12WithForwardSecretAead() throws Exception {
    start(pem(server));

    endpoint.connect(TestCertificate.clientContext(serverCa.certificate()), "TLSv1.2");

    assertThat(endpoint.next().protocol()).isEqualTo("TLSv1.2");
  }

  @Test
  void needRefusesClientWithoutCertificate() throws Exception {
    start(mutual(pem(server), "need"));

    assertThatThrownBy(() -> endpoint.connect(TestCertificate.clientContext(serverCa.certificate()))).isInstanceOf(IOException.class);
    assertThat(endpoint.next().failure()).isNotNull();
  }

  @Test
  void needRefusesClientFromAnotherCa() throws Exception {
    start(mutual(pem(server), "need"));
    TestCertificate otherCa = TestCertificate.ca("client CA");
    TestCertificate impostor = TestCertificate.builder().commonName("alice").usage(Usage.CLIENT).issuedBy(otherCa).build();

    assertThatThrownBy(() -> endpoint.connect(TestCertificate.clientContext(impostor, serverCa.certificate()))).isInstanceOf(IOException.class);
    assertThat(endpoint.next().failure()).isNotNull();
  }

  @Test
  void needAcceptsClientFromAnyCaOfTheBundle() throws Exception {
    TestCertificate secondCa = TestCertificate.ca("second client CA");
    TestCertificate thirdCa = TestCertificate.ca("third client CA");
    Map<String, Object> tree = pem(server);
    tree.put("client-ca", TestCertificate.write(directory.resolve("bundle.crt"), clientCa.certificatePem() + secondCa.certificatePem() + thirdCa.certificatePem()).toString());
    start(tree);
    TestCertificate fromThird = TestCertificate.builder().commonName("carol").usage(Usage.CLIENT).issuedBy(thirdCa).build();

    endpoint.connect(TestCertificate.clientContext(fromThird, serverCa.certificate()));
    endpoint.connect(TestCertificate.clientContext(client("alice"), serverCa.certificate()));

    assertThat(endpoint.next().clientChain().get(0)).isEqualTo(fromThird.certificate());
    assertThat(endpoint.next().clientChain().get(0).getSubjectX500Principal().getName()).isEqualTo("CN=alice");
  }

  @Test
  void clientThroughAnIntermediateCaIsAccepted() throws Exception {
    start(mutual(pem(server), "need"));
    TestCertificate intermediate = TestCertificate.builder().commonName("intermediate").ca().issuedBy(clientCa).build();
    TestCertificate leaf = TestCertificate.builder().commonName("dave").usage(Usage.CLIENT).issuedBy(intermediate).build();

    endpoint.connect(TestCertificate.clientContext(leaf, serverCa.certificate()));

    assertThat(endpoint.next().clientChain()).startsWith(leaf.certificate());
  }

  @Test
  void clientCertificateWhoseUsageExcludesClientAuthIsRefused() throws Exception {
    start(mutual(pem(server), "need"));
    TestCertificate serverOnly = TestCertificate.builder().commonName("mallory").usage(Usage.SERVER).issuedBy(clientCa).build();

    assertThatThrownBy(() -> endpoint.connect(TestCertificate.clientContext(serverOnly, serverCa.certificate()))).isInstanceOf(IOException.class);
    assertThat(endpoint.next().failure()).isNotNull();
  }

  @Test
  void caCertificatePresentedAsTheClientIsRefusedInTheHandshake() throws Exception {
    start(mutual(pem(server), "need"));
    // digitalSignature too, which the JDK's handshake wants of a client key: only CA:TRUE is left to refuse it.
    TestCertificate subordinate =
        TestCertificate.builder().commonName("admin").ca().keyUsage(KeyUsage.keyCertSign | KeyUsage.digitalSignature).issuedBy(clientCa).build();

    assertThatThrownBy(() -> endpoint.connect(TestCertificate.clientContext(subordinate, serverCa.certificate()))).isInstanceOf(IOException.class);
    assertThat(endpoint.next().failure()).hasMessageContaining("is a CA certificate");
  }

  @Test
  void clientUnderAnIntermediateForServersOnlyIsRefusedInTheHandshake() throws Exception {
    start(mutual(pem(server), "need"));
    TestCertificate serversOnly = TestCertificate.builder().commonName("servers CA").ca().usage(Usage.SERVER).issuedBy(clientCa).build();
    TestCertificate leaf = TestCertificate.builder().commonName("dave").usage(Usage.CLIENT).issuedBy(serversOnly).build();

    assertThatThrownBy(() -> endpoint.connect(TestCertificate.clientContext(leaf, serverCa.certificate()))).isInstanceOf(IOException.class);
    assertThat(endpoint.next().failure()).hasMessageContaining("without clientAuth");
  }

  @Test
  void clientCaFileHoldingANonCaCertificateIsRefusedAtStart() {
    TestCertificate notACa = TestCertificate.builder().commonName("just-a-client").usage(Usage.CLIENT).issuedBy(clientCa).build();
    Map<String, Object> tree = pem(server);
    tree.put("client-ca", TestCertificate.write(directory.resolve("client-ca.crt"), clientCa.certificatePem() + notACa.certificatePem()).toString());

    assertThatThrownBy(() -> ServerTls.create(config(tree), Duration.ZERO))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("tls.client-ca: ")
        .hasMessageContaining("client-ca.crt")
        .hasMessageContaining("CN=just-a-client")
        .hasMessageContaining("is not a CA certificate")
        .hasMessageNotContaining("\n");
  }

  @Test
  void wantLetsAClientWithoutCertificateIn() throws Exception {
    start(mutual(pem(server), "want"));

    endpoint.connect(TestCertificate.clientContext(serverCa.certificate()));

    assertThat(endpoint.next().clientChain()).isEmpty();
  }

  @Test
  void wantStillRefusesAnUntrustedCertificate() throws Exception {
    start(mutual(pem(server), "want"));
    // Same CA name as the real one, so the client's key manager offers the certificate.
    TestCertificate impostor = TestCertificate.builder().commonName("alice").usage(Usage.CLIENT).issuedBy(TestCertificate.ca("client CA")).build();

    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> endpoint.connect(TestCertificate.clientContext(impostor, serverCa.certificate())));
    TlsEndpoint.Accepted seen = endpoint.next();
    assertThat(seen.clientChain()).isEmpty();
    assertThat(seen.failure()).isNotNull();
    assertThat(thrown).isInstanceOf(IOException.class);
  }

  @Test
  void revokedClientCertificateIsRefusedWhenACrlIsConfigured() throws Exception {
    TestCertificate alice = client("alice");
    TestCertificate bob = client("bob");
    Map<String, Object> tree = mutual(pem(server), "need");
    tree.put("crl", TestCertificate.write(directory.resolve("ca.crl"), crlRevoking(alice.certificate().getSerialNumber())).toString());
    start(tree);

    assertThatThrownBy(() -> endpoint.connect(TestCertificate.clientContext(alice, serverCa.certificate()))).isInstanceOf(IOException.class);
    endpoint.connect(TestCertificate.clientContext(bob, serverCa.certificate()));
  }

  @Test
  void clientWhoseCaHasNoCrlInTheFileIsRefused() throws Exception {
    TestCertificate secondCa = TestCertificate.ca("second client CA");
    Map<String, Object> tree = pem(server);
    tree.put("client-ca", TestCertificate.write(directory.resolve("bundle.crt"), clientCa.certificatePem() + secondCa.certificatePem()).toString());
    tree.put("crl", TestCertificate.write(directory.resolve("ca.crl"), crlRevoking(BigInteger.TEN)).toString());
    start(tree);
    TestCertificate fromSecond = TestCertificate.builder().commonName("carol").usage(Usage.CLIENT).issuedBy(secondCa).build();

    assertThatThrownBy(() -> endpoint.connect(TestCertificate.clientContext(fromSecond, serverCa.certificate()))).isInstanceOf(IOException.class);
    endpoint.connect(TestCertificate.clientContext(client("alice"), serverCa.certificate()));
  }

  private String crlRevoking(BigInteger serial) throws Exception {
    X509v2CRLBuilder builder =
        new X509v2CRLBuilder(X500Name.getInstance(clientCa.certificate().getSubjectX500Principal().getEncoded()), Date.from(Instant.now().minusSeconds(60)));
    builder.setNextUpdate(Date.from(Instant.now().plus(Duration.ofDays(1))));
    builder.addCRLEntry(serial, Date.from(Instant.now().minusSeconds(60)), 0);
    var crl = new JcaX509CRLConverter().getCRL(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(clientCa.privateKey())));
    StringBuilder pem = new StringBuilder("-----BEGIN X509 CRL-----\n");
    pem.append(java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(crl.getEncoded())).append("\n-----END X509 CRL-----\n");
    return pem.toString();
  }

  @Test
  void newHandshakesGetTheReplacedCertificateAfterASymlinkSwap() throws Exception {
    // The Kubernetes Secret volume layout: tls.crt -> ..data/tls.crt, ..data -> ..2026_1, swapped atomically.
    Path first = Files.createDirectory(directory.resolve("..2026_1"));
    server.writeChain(first.resolve("tls.crt"));
    server.writeKey(first.resolve("tls.key"));
    Files.createSymbolicLink(directory.resolve("..data"), first.getFileName());
    Files.createSymbolicLink(directory.resolve("tls.crt"), Path.of("..data/tls.crt"));
    Files.createSymbolicLink(directory.resolve("tls.key"), Path.of("..data/tls.key"));
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("certificate", directory.resolve("tls.crt").toString());
    tree.put("private-key", directory.resolve("tls.key").toString());
    start(tree);
    // One client context throughout: a resumed session must not bring back the old certificate either.
    SSLContext client = TestCertificate.clientContext(serverCa.certificate());
    assertThat(endpoint.connect(client)).isEqualTo(server.certificate());

    TestCertificate renewed = TestCertificate.builder().commonName("server renewed").localhostServer().issuedBy(serverCa).build();
    Path second = Files.createDirectory(directory.resolve("..2026_2"));
    renewed.writeChain(second.resolve("tls.crt"));
    renewed.writeKey(second.resolve("tls.key"));
    Files.createSymbolicLink(directory.resolve("..data_tmp"), second.getFileName());
    Files.move(directory.resolve("..data_tmp"), directory.resolve("..data"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    tls.reloadIfChanged();

    assertThat(endpoint.connect(client)).isEqualTo(renewed.certificate());
    assertThat(tls.status().reloadCount()).isEqualTo(1);
    assertThat(tls.status().certificateSubject()).isEqualTo("CN=server renewed");
    assertThat(tls.status().lastReloadError()).isEmpty();
  }

  @Test
  void halfWrittenPairIsNeverServedAndTheLastGoodOneStays() throws Exception {
    start(pem(server));
    SSLContext client = TestCertificate.clientContext(serverCa.certificate());
    TestCertificate renewed = TestCertificate.builder().commonName("server renewed").localhostServer().issuedBy(serverCa).build();

    // The certificate is replaced first; the key not yet.
    renewed.writeChain(directory.resolve("tls.crt"));
    tls.reloadIfChanged();

    assertThat(endpoint.connect(client)).isEqualTo(server.certificate());
    assertThat(tls.status().lastReloadError()).hasValueSatisfying(error -> assertThat(error).contains("does not match"));
    assertThat(tls.status().reloadCount()).isZero();

    renewed.writeKey(directory.resolve("tls.key"));
    tls.reloadIfChanged();

    assertThat(endpoint.connect(client)).isEqualTo(renewed.certificate());
    assertThat(tls.status().lastReloadError()).isEmpty();
    assertThat(tls.status().reloadCount()).isEqualTo(1);
  }

  @Test
  void truncatedCertificateFileKeepsTheLastGoodOne() throws Exception {
    start(pem(server));
    String pem = Files.readString(directory.resolve("tls.crt"));
    Files.writeString(directory.resolve("tls.crt"), pem.substring(0, pem.length() / 2));
    tls.reloadIfChanged();

    assertThat(endpoint.connect(TestCertificate.clientContext(serverCa.certificate()))).isEqualTo(server.certificate());
    assertThat(tls.status().lastReloadError()).isPresent();
  }

  @Test
  void deletedKeyFileKeepsServingAndIsReported() throws Exception {
    start(pem(server));
    Files.delete(directory.resolve("tls.key"));
    tls.reloadIfChanged();

    assertThat(endpoint.connect(TestCertificate.clientContext(serverCa.certificate()))).isEqualTo(server.certificate());
    assertThat(tls.status().lastReloadError()).hasValueSatisfying(error -> assertThat(error).startsWith("cannot read").contains("tls.key"));
  }

  @Test
  void replacedClientCaIsUsedForNewHandshakes() throws Exception {
    start(mutual(pem(server), "need"));
    TestCertificate newCa = TestCertificate.ca("new client CA");
    TestCertificate fromNewCa = TestCertificate.builder().commonName("erin").usage(Usage.CLIENT).issuedBy(newCa).build();
    assertThatThrownBy(() -> endpoint.connect(TestCertificate.clientContext(fromNewCa, serverCa.certificate()))).isInstanceOf(IOException.class);

    newCa.writeCertificate(directory.resolve("client-ca.crt"));
    tls.reloadIfChanged();

    endpoint.connect(TestCertificate.clientContext(fromNewCa, serverCa.certificate()));
    assertThatThrownBy(() -> endpoint.connect(TestCertificate.clientContext(client("alice"), serverCa.certificate()))).isInstanceOf(IOException.class);
  }
}
