package dev.gatehouse.benchmarks;

import dev.gatehouse.Decision;
import dev.gatehouse.Gatehouse;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.http.ForwardedClientCert;
import dev.gatehouse.testing.FakeRequest;
import dev.gatehouse.testing.TestCertificate;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One engine decision for a request carrying a verified SPIFFE client certificate (the identity comes from the
 * per-certificate cache; the XFCC header is formatted each time), and the XFCC formatting alone.
 *
 * <p>Run: {@code mvn -q -DskipTests -pl benchmarks -am package && java -jar benchmarks/target/benchmarks.jar ClientCertificate}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ClientCertificateDecisionBenchmark {

  private Gatehouse gatehouse;
  private FakeRequest spiffeClient;
  private TestCertificate certificate;

  @Setup(Level.Trial)
  public void setUp() {
    TestCertificate ca = TestCertificate.ca("client CA");
    certificate =
        TestCertificate.builder()
            .commonName("frontend")
            .uri("spiffe://cluster.local/ns/shop/sa/frontend")
            .dns("frontend.shop.svc")
            .usage(TestCertificate.Usage.CLIENT)
            .issuedBy(ca)
            .build();
    gatehouse = Gatehouse.create(ConfigLoader.fromTree(Map.of("authentication", Map.of("client-certificate", Map.of()))));
    spiffeClient = FakeRequest.get("/orders").clientCertificates(certificate.chain());
    if (!(gatehouse.decide(spiffeClient) instanceof Decision.Allow)) {
      throw new IllegalStateException("fixture certificate is not accepted");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    gatehouse.close();
  }

  @Benchmark
  public Decision spiffeCertificate() {
    return gatehouse.decide(spiffeClient);
  }

  @Benchmark
  public String xfccFormat() {
    return ForwardedClientCert.format(certificate.certificate());
  }
}
