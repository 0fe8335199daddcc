package dev.gatehouse.tls;

import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.EgressTlsConfig;
import dev.gatehouse.internal.FileWatch;
import dev.gatehouse.internal.ReloadingFile;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jspecify.annotations.Nullable;

/**
 * The material of TLS the sidecar originates towards a remote ({@code egress.routes[].tls}): the trust the remote's
 * certificate must chain to, and the workload's client certificate for mTLS, whose files are polled and reloaded while
 * connections run.
 *
 * <p>Design: the client key manager is the server's {@link ReloadingKeyManager} in client mode, so a reload swaps the
 * key and chain for new handshakes while a handshake in progress keeps the version it chose; established connections
 * are untouched. The trust is read once at start. Host name verification is the TLS engine's (the caller sets the
 * endpoint identification algorithm), and a required SPIFFE ID of the remote is the caller's check.
 */
public final class OriginTls implements AutoCloseable {

  /** How often the client certificate and key are checked for a change. */
  public static final Duration DEFAULT_RELOAD_INTERVAL = ServerTls.DEFAULT_RELOAD_INTERVAL;

  private final X509ExtendedTrustManager trustManager;
  private final @Nullable ReloadingKeyManager keyManager;
  private final @Nullable ReloadingFile<ServerCredentials> credentials;
  private final @Nullable ScheduledExecutorService reloader;

  private OriginTls(EgressTlsConfig config, Duration reloadInterval) {
    this.trustManager = trustManager(config.ca());
    if (config.clientCertificate().isPresent()) {
      Path certificate = config.clientCertificate().get();
      Path key = config.clientKey().orElseThrow();
      ServerCredentials initial = load(certificate, key);
      this.credentials =
          ReloadingFile.watching(
              "egress client certificate and key " + List.of(certificate, key),
              List.of(certificate, key),
              () -> load(certificate, key),
              loaded -> "presenting " + loaded.leaf().getSubjectX500Principal().getName() + " (expires " + loaded.leaf().getNotAfter().toInstant() + ")",
              initial);
      this.keyManager = new ReloadingKeyManager(initial, credentials.generation(), /* client= */ true);
      this.reloader = reloadInterval.isZero() ? null : FileWatch.poll("gatehouse-egress-tls-reload", reloadInterval, this::reloadIfChanged);
    } else {
      this.credentials = null;
      this.keyManager = null;
      this.reloader = null;
    }
  }

  /**
   * Reads the configured files and starts watching the client certificate and key.
   *
   * @param config the route's {@code tls} section
   * @param reloadInterval how often to check the client certificate and key; {@link Duration#ZERO} never reloads
   * @return the material; close it to stop watching
   * @throws ConfigException naming the key ({@code ca}, {@code client-certificate}, {@code client-key}) and the problem
   */
  public static OriginTls create(EgressTlsConfig config, Duration reloadInterval) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(reloadInterval, "reloadInterval");
    if (reloadInterval.isNegative()) {
      throw new IllegalArgumentException("reloadInterval must not be negative");
    }
    return new OriginTls(config, reloadInterval);
  }

  /**
   * The trust manager the remote's chain is checked with: the {@code ca} bundle's, else the JDK's default.
   *
   * @return the trust manager
   */
  public X509ExtendedTrustManager trustManager() {
    return trustManager;
  }

  /**
   * The key manager presenting the workload's certificate, following reloads.
   *
   * @return the key manager; empty when no client certificate is configured
   */
  public Optional<X509ExtendedKeyManager> keyManager() {
    return Optional.ofNullable(keyManager);
  }

  /**
   * The leaf of the client certificate in force, for logs and tests.
   *
   * @return the certificate; empty when none is configured
   */
  public Optional<X509Certificate> clientCertificate() {
    return keyManager == null ? Optional.empty() : Optional.of(keyManager.credentials().leaf());
  }

  /** Re-reads the client certificate and key when their files changed; a bad new pair is logged and not used. */
  public void reloadIfChanged() {
    if (credentials != null && keyManager != null) {
      credentials.reloadIfChanged().ifPresent(loaded -> keyManager.update(loaded, credentials.generation()));
    }
  }

  private static ServerCredentials load(Path certificate, Path key) {
    List<X509Certificate> chain = keyed("client-certificate", () -> PemFiles.certificates(certificate));
    PrivateKey privateKey = keyed("client-key", () -> PemFiles.privateKey(key, Optional.empty()));
    return new ServerCredentials(privateKey, chain).check(certificate + " and " + key, Clock.systemUTC().instant(), "client-key", "client-certificate");
  }

  private static X509ExtendedTrustManager trustManager(Optional<Path> ca) {
    try {
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      if (ca.isPresent()) {
        List<X509Certificate> authorities = keyed("ca", () -> PemFiles.certificates(ca.get()));
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        for (int i = 0; i < authorities.size(); i++) {
          store.setCertificateEntry("ca-" + i, authorities.get(i));
        }
        factory.init(store);
      } else {
        factory.init((KeyStore) null);
      }
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509ExtendedTrustManager extended) {
          return extended;
        }
      }
      throw new IllegalStateException("the JDK's trust manager factory made no X509ExtendedTrustManager");
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new ConfigException("ca", "cannot use the CA bundle: " + e.getMessage(), e);
    }
  }

  private static <T> T keyed(String key, java.util.function.Supplier<T> step) {
    try {
      return step.get();
    } catch (ConfigException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, e.getMessage(), e);
    }
  }

  /** Stops watching the files. Idempotent. */
  @Override
  public void close() {
    if (reloader != null) {
      reloader.shutdownNow();
    }
  }
}
