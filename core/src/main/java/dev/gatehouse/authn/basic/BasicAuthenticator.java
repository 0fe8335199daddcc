package dev.gatehouse.authn.basic;

import dev.gatehouse.internal.LogText;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.gatehouse.Identity;
import dev.gatehouse.RequestView;
import dev.gatehouse.authn.AuthenticationResult;
import dev.gatehouse.authn.Authenticator;
import dev.gatehouse.config.BasicConfig;
import dev.gatehouse.config.ConfigException;
import dev.gatehouse.internal.FileWatch;
import dev.gatehouse.internal.ReloadingFile;
import dev.gatehouse.metrics.SourceStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP Basic authentication (RFC 7617) against an htpasswd file.
 *
 * <p>Design: the parsed file is one immutable {@link HtpasswdFile} behind a volatile field, so the request path takes
 * no lock. A single daemon thread polls the file's metadata (size, modification time and file key, following symlinks,
 * which catches editors, atomic renames and Kubernetes' {@code ..data} symlink swap) and publishes a new snapshot when
 * it changes; a file that has become unreadable or malformed leaves the last good snapshot in place and is logged once
 * per change. Successful verifications are remembered by {@link VerifiedCredentialsCache}; an unknown user is checked
 * against a decoy of the file's typical cost and a cheaper known user is padded up to it ({@link HtpasswdFile#verify}),
 * so a wrong password costs the same whether the user exists or not.
 *
 * <p>Cost an attacker can force: before any hash is computed the attempt takes a token from the peer's and the
 * user-at-peer's failure budget ({@link FailureBuckets}); with either spent the answer is 429 with {@code Retry-After}
 * and no hash runs. An empty password and one over 72 bytes (bcrypt would read only 72 of them) are failures without a
 * hash. The peer is {@link RequestView#remoteAddress()}: behind another proxy, every client shares that proxy's
 * address, and so its per-peer budget.
 *
 * <p>Thread-safe. {@link #close()} stops the polling thread.
 */
final class BasicAuthenticator implements Authenticator {

  /** How often the htpasswd file is checked for changes. */
  public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(2);

  private static final Logger log = LoggerFactory.getLogger(BasicAuthenticator.class);

  private final Path path;
  private final String challenge;
  private final VerifiedCredentialsCache cache;
  private final ReloadingFile<HtpasswdFile> htpasswd;
  private final ScheduledExecutorService reloader;
  private final FailureBuckets failures;
  private final PasswordHash.Work work;

  private BasicAuthenticator(BasicConfig config, Duration reloadInterval, Duration cacheTtl, Ticker ticker, PasswordHash.Work work) {
    this.path = config.htpasswd();
    this.challenge = "Basic realm=\"" + config.realm() + "\", charset=\"UTF-8\"";
    this.cache = new VerifiedCredentialsCache(cacheTtl, VerifiedCredentialsCache.DEFAULT_MAXIMUM_SIZE, ticker);
    this.failures = new FailureBuckets(config.failureBudget(), ticker);
    this.work = work;
    PasswordHash.Ceilings ceilings = new PasswordHash.Ceilings(config.maxBcryptCost(), config.maxShaCryptRounds());
    HtpasswdFile initial;
    try {
      initial = HtpasswdFile.read(path, ceilings);
    } catch (IOException e) {
      throw new ConfigException("authentication.basic.htpasswd", "cannot read " + path + ": " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("authentication.basic.htpasswd", path + " " + e.getMessage(), e);
    }
    this.htpasswd =
        ReloadingFile.watching(
            "htpasswd file " + path, List.of(path), () -> warnIfUneven(HtpasswdFile.read(path, ceilings)), file -> file.size() + " users", initial);
    warnIfUneven(initial);
    if (reloadInterval.isZero()) {
      this.reloader = null;
    } else {
      this.reloader = FileWatch.poll("gatehouse-htpasswd-reload", reloadInterval, this::reloadIfChanged);
    }
    log.info("loaded htpasswd file {}: {} users", path, initial.size());
  }

  /**
   * Creates an authenticator for a validated configuration, reading the file now and watching it afterwards.
   *
   * @param config the {@code authentication.basic} section
   * @return the authenticator; close it to stop watching the file
   * @throws ConfigException if the file cannot be read or has an unusable line
   */
  static BasicAuthenticator create(BasicConfig config) {
    Objects.requireNonNull(config, "config");
    return new BasicAuthenticator(config, DEFAULT_RELOAD_INTERVAL, VerifiedCredentialsCache.DEFAULT_TTL, Ticker.systemTicker(), PasswordHash.Work.NONE);
  }

  /** For tests: explicit reload interval ({@link Duration#ZERO} disables polling) and cache clock. */
  static BasicAuthenticator create(BasicConfig config, Duration reloadInterval, Duration cacheTtl, Ticker ticker) {
    return new BasicAuthenticator(config, reloadInterval, cacheTtl, ticker, PasswordHash.Work.NONE);
  }

  /** For tests: also told of every bcrypt computation. */
  static BasicAuthenticator create(BasicConfig config, Duration reloadInterval, Duration cacheTtl, Ticker ticker, PasswordHash.Work work) {
    return new BasicAuthenticator(config, reloadInterval, cacheTtl, ticker, work);
  }

  /** Names, once per load, the users whose hash is costlier than the file's typical one. */
  private HtpasswdFile warnIfUneven(HtpasswdFile file) {
    List<String> costlier = file.costlierThanTypical();
    if (!costlier.isEmpty()) {
      log.warn(
          "htpasswd file {}: {} user(s) have a hash costlier than the file's typical one, so response times tell them from unknown users;"
              + " rehash them at the typical cost: {}",
          path,
          costlier.size(),
          costlier.stream().limit(10).map(LogText::quote).toList());
    }
    return file;
  }

  @Override
  public AuthenticationResult authenticate(RequestView request) {
    List<String> values = request.headers("Authorization");
    if (values.isEmpty()) {
      return AuthenticationResult.none();
    }
    if (values.size() > 1) {
      // Two Authorization headers: which one a backend would honour is anyone's guess.
      return AuthenticationResult.failure("more than one Authorization header");
    }
    String value = values.get(0);
    if (!BasicCredentials.isBasic(value)) {
      return AuthenticationResult.none();
    }
    BasicCredentials.Parsed credentials;
    try {
      credentials = BasicCredentials.parse(value);
    } catch (IllegalArgumentException e) {
      return AuthenticationResult.failure(e.getMessage());
    }
    try {
      return verify(credentials, request.remoteAddress());
    } finally {
      Arrays.fill(credentials.password(), (byte) 0);
      Arrays.fill(credentials.decoded(), (byte) 0);
    }
  }

  private AuthenticationResult verify(BasicCredentials.Parsed credentials, String remoteAddress) {
    // One read of the version in force: file and generation must belong together.
    ReloadingFile.Version<HtpasswdFile> version = htpasswd.current();
    long generation = version.generation();
    HtpasswdFile file = version.value();
    String user = credentials.user();
    if (cache.contains(credentials.decoded(), user, generation)) {
      return AuthenticationResult.success(Identity.of(user, Identity.BASIC));
    }
    FailureBuckets.Attempt attempt = failures.acquire(remoteAddress, user);
    if (attempt.reservation() == null) {
      return AuthenticationResult.throttled(
          "failure budget spent (" + attempt.spent() + ") for user " + LogText.quote(user) + " from " + LogText.quote(remoteAddress),
          attempt.retryAfter().orElseThrow());
    }
    byte[] password = credentials.password();
    if (password.length == 0) {
      return AuthenticationResult.failure("empty password for user " + LogText.quote(user));
    }
    if (password.length > PasswordHash.BCRYPT_MAX_PASSWORD_BYTES) {
      // bcrypt would read 72 bytes of it and let every password with the same start in; never truncate.
      return AuthenticationResult.failure(
          "password longer than " + PasswordHash.BCRYPT_MAX_PASSWORD_BYTES + " bytes for user " + LogText.quote(user) + " (" + password.length + " bytes)");
    }
    if (!file.verify(user, password, work)) {
      // One reason for both: the log tells an operator which; a client only ever sees the 401.
      return AuthenticationResult.failure((file.hashOf(user).isPresent() ? "wrong password for user " : "unknown user ") + LogText.quote(user));
    }
    failures.refund(attempt.reservation());
    cache.put(credentials.decoded(), user, generation);
    return AuthenticationResult.success(Identity.of(user, Identity.BASIC));
  }

  @Override
  public Optional<String> challenge() {
    return Optional.of(challenge);
  }

  @Override
  public String name() {
    return Identity.BASIC;
  }

  @Override
  public List<SourceStatus> sources() {
    return List.of(htpasswd.status(SourceStatus.HTPASSWD, path.toString()));
  }

  /**
   * Re-reads the file if its metadata changed. Runs on the reload thread; public callers never need it, tests call it
   * to avoid sleeping.
   */
  void reloadIfChanged() {
    // Entries of the old generation already miss; dropping them just frees memory sooner.
    htpasswd.reloadIfChanged().ifPresent(reloaded -> cache.clear());
  }

  long cachedSuccesses() {
    return cache.size();
  }

  /** How many times the file has been loaded successfully, including the first time. */
  long generation() {
    return htpasswd.generation();
  }

  @Override
  public void close() {
    if (reloader != null) {
      reloader.shutdownNow();
    }
  }
}
