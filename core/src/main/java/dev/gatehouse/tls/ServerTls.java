package dev.gatehouse.tls;

import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.TlsConfig;
import dev.gatehouse.internal.FileStamp;
import dev.gatehouse.internal.FileWatch;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
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
 * ConfigException} naming the key and the problem. A single daemon thread then polls the files' {@link FileStamp}s
 * (which resolve symbolic links, so Kubernetes' {@code ..data} swap is seen). When they change, the new files are read
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

  // Written only by the reload thread (and the constructor); read by status().
  private volatile List<FileStamp> credentialStamps;
  private volatile @Nullable List<FileStamp> failedCredentialStamps;
  private volatile List<FileStamp> trustStamps;
  private volatile @Nullable List<FileStamp> failedTrustStamps;
  private volatile long generation = 1;
  private volatile long reloadCount;
  private volatile Instant lastLoaded;
  private volatile @Nullable String lastReloadError;
  private volatile @Nullable Instant lastReloadErrorTime;

  private ServerTls(TlsConfig config, Duration reloadInterval, Clock clock) {
    this.config = config;
    this.clock = clock;
    try {
      this.credentialStamps = stamps(credentialFiles());
      this.trustStamps = stamps(trustFiles());
    } catch (IOException e) {
      throw new ConfigException("tls", "cannot read " + e.getMessage(), e);
    }
    ServerCredentials credentials;
    try {
      credentials = loadCredentials();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(credentialKey(e), e.getMessage(), e);
    }
    this.keyManager = new ReloadingKeyManager(credentials, generation);
    if (config.clientAuth() == TlsConfig.ClientAuth.NONE) {
      this.trustManager = null;
    } else {
      List<X509Certificate> authorities;
      X509ExtendedTrustManager delegate;
      try {
        authorities = loadClientCas();
        delegate = ClientTrust.trustManager(authorities, loadCrls());
      } catch (IllegalArgumentException e) {
        String caKey = config.clientCa().isPresent() ? "tls.client-ca" : "authentication.client-certificate.trust-domains";
        throw new ConfigException(e.getMessage().contains("CRL") ? "tls.crl" : caKey, e.getMessage(), e);
      }
      this.trustManager = new ReloadingTrustManager(delegate, authorities);
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
    X509Certificate leaf = credentials.leaf();
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
        reloadCount,
        lastLoaded,
        Optional.ofNullable(lastReloadError),
        Optional.ofNullable(lastReloadErrorTime));
  }

  /**
   * Re-reads the files whose stamps changed. Runs on the reload thread; tests call it to avoid waiting.
   */
  void reloadIfChanged() {
    try {
      reloadCredentialsIfChanged();
      if (trustManager != null) {
        reloadTrustIfChanged(trustManager);
      }
    } catch (RuntimeException e) {
      // Never let the reload thread die: a later fix to the files must still be picked up.
      failed("unexpected " + e);
      log.warn("TLS reload failed unexpectedly; keeping the current material", e);
    }
  }

  private void reloadCredentialsIfChanged() {
    List<FileStamp> stamps;
    try {
      stamps = stamps(credentialFiles());
    } catch (IOException e) {
      // Mid-swap a link can dangle for a moment; the next poll sees the finished state. A lasting gap is reported once.
      unreadable(e);
      return;
    }
    if (stamps.equals(credentialStamps) || stamps.equals(failedCredentialStamps)) {
      return;
    }
    try {
      ServerCredentials credentials = loadCredentials();
      long next = generation + 1;
      keyManager.update(credentials, next);
      generation = next;
      forgetSessions();
      credentialStamps = stamps;
      failedCredentialStamps = null;
      succeeded();
      log.info(
          "TLS: reloaded certificate {} (expires {})",
          credentials.leaf().getSubjectX500Principal().getName(),
          credentials.leaf().getNotAfter().toInstant());
    } catch (IllegalArgumentException e) {
      failedCredentialStamps = stamps;
      failed(e.getMessage());
      log.warn("TLS: certificate files changed but {}; still serving {}", e.getMessage(), keyManager.credentials().leaf().getSubjectX500Principal().getName());
    }
  }

  private void reloadTrustIfChanged(ReloadingTrustManager manager) {
    List<FileStamp> stamps;
    try {
      stamps = stamps(trustFiles());
    } catch (IOException e) {
      unreadable(e);
      return;
    }
    if (stamps.equals(trustStamps) || stamps.equals(failedTrustStamps)) {
      return;
    }
    try {
      List<X509Certificate> authorities = loadClientCas();
      manager.update(ClientTrust.trustManager(authorities, loadCrls()), authorities);
      forgetSessions();
      trustStamps = stamps;
      failedTrustStamps = null;
      succeeded();
      log.info("TLS: reloaded client CA bundle: {} CAs", authorities.size());
    } catch (IllegalArgumentException e) {
      failedTrustStamps = stamps;
      failed(e.getMessage());
      log.warn("TLS: client CA files changed but {}; keeping the previous CAs", e.getMessage());
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

  private void unreadable(IOException e) {
    String why = "cannot read " + e.getMessage();
    if (!why.equals(lastReloadError)) {
      log.warn("TLS: {}; still serving the material loaded before", why);
    }
    failed(why);
  }

  private void succeeded() {
    reloadCount++;
    lastLoaded = clock.instant();
    lastReloadError = null;
    lastReloadErrorTime = null;
  }

  private void failed(String why) {
    lastReloadError = why;
    lastReloadErrorTime = clock.instant();
  }

  private ServerCredentials loadCredentials() {
    ServerCredentials credentials;
    String what;
    if (config.keystore().isPresent()) {
      Path keystore = config.keystore().get();
      credentials = PemFiles.keystore(keystore, config.keystorePassword().map(String::toCharArray).orElse(new char[0]));
      what = keystore.toString();
    } else {
      Path certificate = config.certificate().orElseThrow();
      Path privateKey = config.privateKey().orElseThrow();
      List<X509Certificate> chain = PemFiles.certificates(certificate);
      credentials =
          new ServerCredentials(PemFiles.privateKey(privateKey, config.privateKeyPassword().map(String::toCharArray)), chain);
      what = certificate + " and " + privateKey;
    }
    return credentials.check(what, clock.instant());
  }

  /** {@code tls.client-ca}, or with none every trust domain's CAs together: the domain binding is the authenticator's. */
  private List<X509Certificate> loadClientCas() {
    return TrustDomains.union(config.clientCaFiles());
  }

  private List<X509CRL> loadCrls() {
    return config.crl().map(PemFiles::crls).orElse(List.of());
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

  private static List<FileStamp> stamps(List<Path> files) throws IOException {
    List<FileStamp> stamps = new ArrayList<>(files.size());
    for (Path file : files) {
      stamps.add(FileStamp.of(file));
    }
    return List.copyOf(stamps);
  }

  /** Which key a credential problem is about, so the start-up message points at the right line of the file. */
  private String credentialKey(IllegalArgumentException e) {
    String message = String.valueOf(e.getMessage());
    if (config.keystore().isPresent()) {
      return "tls.keystore";
    }
    if (message.contains("private key") && !message.contains("does not match")) {
      return "tls.private-key";
    }
    return message.contains("does not match") ? "tls.private-key" : "tls.certificate";
  }

  /** Stops watching the files. Idempotent. */
  @Override
  public void close() {
    if (reloader != null) {
      reloader.shutdownNow();
    }
  }
}
