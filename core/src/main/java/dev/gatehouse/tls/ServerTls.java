package dev.gatehouse.tls;

import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.TlsConfig;
import dev.gatehouse.internal.FileWatch;
import dev.gatehouse.internal.ReloadingFile;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TLS server endpoint's material, built from a {@link TlsConfig}: a JDK {@link SSLContext} whose key and trust
 * managers re-read their files when they change, plus the protocols, cipher suites and client-authentication mode to
 * apply to each connection.
 *
 * <p>Design: the files are read and checked once by {@link #create}, which refuses a bad configuration with a {@link
 * ConfigException} naming the key and the problem. A single daemon thread then polls the files ({@link ReloadingFile},
 * whose stamps resolve symbolic links, so Kubernetes' {@code ..data} swap is seen). When they change, the new files are read
 * and checked completely (key matches certificate, certificate current, CA bundle parseable) before the reloading key
 * or trust manager switches to them; anything wrong keeps the last good material, is logged once per change and shows
 * in {@link #status()}. New handshakes use the new material; established connections are not touched. The {@link
 * SSLContext} itself never changes, so servers built on it need no restart.
 *
 * <p>Thread-safe. {@link #close()} stops the polling thread.
 */
public final class ServerTls implements AutoCloseable {

  /** How often the files are checked for changes. */
  public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(2);

  private static final Logger log = LoggerFactory.getLogger(ServerTls.class);

  private final TlsConfig config;
  private final Clock clock;
  private final SSLContext sslContext;
  private final ReloadingKeyManager keyManager;
  private final @Nullable ReloadingTrustManager trustManager;
  private final @Nullable ScheduledExecutorService reloader;

  private final ReloadingFile<ServerCredentials> credentials;
  private final @Nullable ReloadingFile<ClientCas> clientCas;

  // Written only by the reload thread (and the constructor); read by status().
  private volatile Instant lastLoaded;
  private volatile @Nullable String lastReloadError;
  private volatile @Nullable Instant lastReloadErrorTime;

  /** The client CAs and the trust manager checking against them, read together. */
  private record ClientCas(List<X509Certificate> authorities, X509ExtendedTrustManager manager) {}

  private ServerTls(TlsConfig config, Duration reloadInterval, Clock clock) {
    this.config = config;
    this.clock = clock;
    ServerCredentials initialCredentials = loadCredentials();
    this.credentials =
        ReloadingFile.watching(
            "TLS certificate and key " + credentialFiles(),
            credentialFiles(),
            this::loadCredentials,
            loaded -> "serving " + loaded.leaf().getSubjectX500Principal().getName() + " (expires " + loaded.leaf().getNotAfter().toInstant() + ")",
            initialCredentials);
    this.keyManager = new ReloadingKeyManager(initialCredentials, credentials.generation());
    if (config.clientAuth() == TlsConfig.ClientAuth.NONE) {
      this.trustManager = null;
      this.clientCas = null;
    } else {
      ClientCas initialCas = loadClientCas();
      this.clientCas =
          ReloadingFile.watching("TLS client CA files " + trustFiles(), trustFiles(), this::loadClientCas, cas -> cas.authorities().size() + " CAs", initialCas);
      this.trustManager = new ReloadingTrustManager(initialCas.manager(), initialCas.authorities());
    }
    try {
      this.sslContext = SSLContext.getInstance("TLS");
      sslContext.init(
          new KeyManager[] {keyManager}, trustManager == null ? null : new TrustManager[] {trustManager}, null);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot initialise TLS: " + e.getMessage(), e);
    }
    this.lastLoaded = clock.instant();
    if (reloadInterval.isZero()) {
      this.reloader = null;
    } else {
      this.reloader = FileWatch.poll("gatehouse-tls-reload", reloadInterval, this::reloadIfChanged);
    }
    X509Certificate leaf = initialCredentials.leaf();
    log.info(
        "TLS: serving {} (expires {}), profile {}, protocols {}, client-auth {}",
        leaf.getSubjectX500Principal().getName(),
        leaf.getNotAfter().toInstant(),
        config.profile().configName(),
        config.protocols(),
        config.clientAuth().configName());
  }

  /**
   * Reads and checks the configured files and starts watching them, every {@link #DEFAULT_RELOAD_INTERVAL}.
   *
   * @param config the {@code tls} section
   * @return the running endpoint material; close it to stop watching
   * @throws ConfigException naming the key and the problem: unreadable or malformed file, no certificate in file, key
   *     does not match certificate, expired certificate, wrong password
   */
  public static ServerTls create(TlsConfig config) {
    return create(config, DEFAULT_RELOAD_INTERVAL);
  }

  /**
   * As {@link #create(TlsConfig)}, with an explicit polling interval.
   *
   * @param config the {@code tls} section
   * @param reloadInterval how often to check the files; {@link Duration#ZERO} never reloads
   * @return the running endpoint material
   * @throws ConfigException as {@link #create(TlsConfig)}
   */
  public static ServerTls create(TlsConfig config, Duration reloadInterval) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(reloadInterval, "reloadInterval");
    if (reloadInterval.isNegative()) {
      throw new IllegalArgumentException("reloadInterval must not be negative");
    }
    return new ServerTls(config, reloadInterval, Clock.systemUTC());
  }

  /**
   * The context to create server engines or sockets from. Its key and trust managers follow reloads.
   *
   * @return the shared context
   */
  public SSLContext sslContext() {
    return sslContext;
  }

  /**
   * The reloading key manager inside {@link #sslContext()}, for servers that build their own context.
   *
   * @return the key manager
   */
  public X509ExtendedKeyManager keyManager() {
    return keyManager;
  }

  /**
   * The reloading client-certificate trust manager inside {@link #sslContext()}, when client authentication is on.
   *
   * @return the trust manager, or empty with {@code client-auth: none}
   */
  public Optional<X509ExtendedTrustManager> trustManager() {
    return Optional.ofNullable(trustManager);
  }

  /**
   * The protocol versions to enable, most preferred first.
   *
   * @return JDK protocol names
   */
  public List<String> protocols() {
    return config.protocols();
  }

  /**
   * The cipher suites to enable, most preferred first.
   *
   * @return IANA suite names
   */
  public List<String> cipherSuites() {
    return config.cipherSuites();
  }

  /**
   * Whether client certificates are requested or required.
   *
   * @return the mode
   */
  public TlsConfig.ClientAuth clientAuth() {
    return config.clientAuth();
  }

  /**
   * Parameters to apply to each server engine or socket: protocols, suites in server order, client authentication.
   *
   * @return a new parameters object
   */
  public SSLParameters sslParameters() {
    SSLParameters parameters = new SSLParameters(cipherSuites().toArray(String[]::new), protocols().toArray(String[]::new));
    parameters.setUseCipherSuitesOrder(true);
    switch (config.clientAuth()) {
      case NEED -> parameters.setNeedClientAuth(true);
      case WANT -> parameters.setWantClientAuth(true);
      case NONE -> parameters.setNeedClientAuth(false);
      default -> throw new AssertionError(config.clientAuth());
    }
    return parameters;
  }

  /**
   * The current state, for health checks and metrics.
   *
   * @return a snapshot
   */
  public TlsStatus status() {
    X509Certificate leaf = keyManager.credentials().leaf();
    return new TlsStatus(
        leaf.getSubjectX500Principal().getName(),
        leaf.getNotAfter().toInstant(),
        credentials.successes() + (clientCas == null ? 0 : clientCas.successes()),
        lastLoaded,
        Optional.ofNullable(lastReloadError),
        Optional.ofNullable(lastReloadErrorTime),
        credentials.failures() + (clientCas == null ? 0 : clientCas.failures()));
  }

  /**
   * Re-reads the files whose stamps changed. Runs on the reload thread; tests call it to avoid waiting.
   */
  void reloadIfChanged() {
    credentials.reloadIfChanged()
        .ifPresent(
            loaded -> {
              keyManager.update(loaded, credentials.generation());
              forgetSessions();
              lastLoaded = clock.instant();
            });
    if (clientCas != null && trustManager != null) {
      clientCas.reloadIfChanged()
          .ifPresent(
              loaded -> {
                trustManager.update(loaded.manager(), loaded.authorities());
                forgetSessions();
                lastLoaded = clock.instant();
              });
    }
    Optional<String> error = credentials.lastError().or(() -> clientCas == null ? Optional.empty() : clientCas.lastError());
    if (error.isEmpty()) {
      lastReloadError = null;
      lastReloadErrorTime = null;
    } else if (!error.get().equals(lastReloadError)) {
      lastReloadError = error.get();
      lastReloadErrorTime = clock.instant();
    }
  }

  /**
   * A resumed session skips the certificate, so a client holding one would keep seeing the replaced certificate (and
   * the replaced client CA's verdict) for the session lifetime; after a reload every client does a full handshake.
   */
  private void forgetSessions() {
    javax.net.ssl.SSLSessionContext sessions = sslContext.getServerSessionContext();
    for (java.util.Enumeration<byte[]> ids = sessions.getIds(); ids.hasMoreElements(); ) {
      javax.net.ssl.SSLSession session = sessions.getSession(ids.nextElement());
      if (session != null) {
        session.invalidate();
      }
    }
  }

  /** Reads and checks the key and chain; every problem is a {@link ConfigException} naming the key it is about. */
  private ServerCredentials loadCredentials() {
    if (config.keystore().isPresent()) {
      Path keystore = config.keystore().get();
      ServerCredentials credentials =
          keyed("tls.keystore", () -> PemFiles.keystore(keystore, config.keystorePassword().map(String::toCharArray).orElse(new char[0])));
      return credentials.check(keystore.toString(), clock.instant(), "tls.keystore", "tls.keystore");
    }
    Path certificate = config.certificate().orElseThrow();
    Path privateKey = config.privateKey().orElseThrow();
    List<X509Certificate> chain = keyed("tls.certificate", () -> PemFiles.certificates(certificate));
    PrivateKey key = keyed("tls.private-key", () -> PemFiles.privateKey(privateKey, config.privateKeyPassword().map(String::toCharArray)));
    return new ServerCredentials(key, chain).check(certificate + " and " + privateKey, clock.instant(), "tls.private-key", "tls.certificate");
  }

  /** {@code tls.client-ca}, or with none every trust domain's CAs together: the domain binding is the authenticator's. */
  private ClientCas loadClientCas() {
    String caKey = config.clientCa().isPresent() ? "tls.client-ca" : "authentication.client-certificate.trust-domains";
    List<X509Certificate> authorities = keyed(caKey, () -> TrustDomains.union(config.clientCaFiles()));
    List<X509CRL> crls = keyed("tls.crl", () -> config.crl().map(PemFiles::crls).orElse(List.of()));
    return new ClientCas(authorities, keyed(caKey, () -> ClientTrust.trustManager(authorities, crls)));
  }

  /** Runs one step of reading the material, naming the key its failure is about. */
  private static <T> T keyed(String key, java.util.function.Supplier<T> step) {
    try {
      return step.get();
    } catch (ConfigException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, e.getMessage(), e);
    }
  }

  private List<Path> credentialFiles() {
    List<Path> files = new ArrayList<>(2);
    config.keystore().ifPresent(files::add);
    config.certificate().ifPresent(files::add);
    config.privateKey().ifPresent(files::add);
    return files;
  }

  private List<Path> trustFiles() {
    List<Path> files = new ArrayList<>(2);
    files.addAll(config.clientCaFiles());
    config.crl().ifPresent(files::add);
    return files;
  }

  /** Stops watching the files. Idempotent. */
  @Override
  public void close() {
    if (reloader != null) {
      reloader.shutdownNow();
    }
  }
}
