package dev.gatehouse.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.EgressTlsConfig;
import dev.gatehouse.testing.TestCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The material of egress TLS: the client key manager offers the workload's certificate and follows a swap on disk. */
class OriginTlsTest {

  @TempDir Path dir;
  final TestCertificate ca = TestCertificate.ca("Workload CA");

  EgressTlsConfig config(Path crt, Path key) {
    return new EgressTlsConfig(Optional.empty(), Optional.empty(), List.of(), Optional.of(crt), Optional.of(key));
  }

  TestCertificate workload(String name) {
    return TestCertificate.builder().commonName(name).usage(TestCertificate.Usage.CLIENT).issuedBy(ca).build();
  }

  @Test
  void clientKeyManagerOffersTheWorkloadCertificateAndFollowsASwap() throws Exception {
    TestCertificate first = workload("one");
    Path crt = first.writeChain(dir.resolve("tls.crt"));
    Path key = first.writeKey(dir.resolve("tls.key"));
    try (OriginTls tls = OriginTls.create(config(crt, key), Duration.ZERO)) {
      var keys = tls.keyManager().orElseThrow();
      String alias = keys.chooseEngineClientAlias(new String[] {first.certificate().getPublicKey().getAlgorithm()}, null, null);
      assertThat(keys.getCertificateChain(alias)[0]).isEqualTo(first.certificate());

      TestCertificate second = workload("two");
      Files.move(second.writeChain(dir.resolve("new.crt")), crt, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      Files.move(second.writeKey(dir.resolve("new.key")), key, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      tls.reloadIfChanged();

      String next = keys.chooseEngineClientAlias(new String[] {second.certificate().getPublicKey().getAlgorithm()}, null, null);
      assertThat(keys.getCertificateChain(next)[0]).isEqualTo(second.certificate());
      assertThat(tls.clientCertificate()).contains(second.certificate());
      // The alias a handshake chose before the swap still names its own chain.
      assertThat(keys.getCertificateChain(alias)[0]).isEqualTo(first.certificate());
    }
  }

  @Test
  void keyOfAnotherCertificateIsRefusedNamingClientKey() {
    Path crt = workload("one").writeChain(dir.resolve("tls.crt"));
    Path key = workload("other").writeKey(dir.resolve("tls.key"));

    assertThatThrownBy(() -> OriginTls.create(config(crt, key), Duration.ZERO)).isInstanceOf(ConfigException.class).hasMessageContaining("client-key");
  }

  @Test
  void withoutClientCertificateThereIsNoKeyManagerAndTheJdkTrust() {
    try (OriginTls tls = OriginTls.create(new EgressTlsConfig(Optional.empty(), Optional.empty(), List.of(), Optional.empty(), Optional.empty()), Duration.ZERO)) {
      assertThat(tls.keyManager()).isEmpty();
      assertThat(tls.trustManager().getAcceptedIssuers()).isNotEmpty();
    }
  }
}
