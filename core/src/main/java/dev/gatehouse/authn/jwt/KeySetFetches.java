package dev.gatehouse.authn.jwt;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.proc.SecurityContext;
import dev.gatehouse.internal.LogText;
import dev.gatehouse.metrics.SourceStatus;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Counts one issuer's real key set fetches (not the cache's answers), for {@link SourceStatus}: it wraps the origin
 * of the set, beneath Nimbus's cache, rate limit, retry and outage tolerance, so each count is one request to the
 * issuer (or one read of the file).
 *
 * <p>Thread-safe: the fetching threads write, any thread reads; a snapshot may mix two fetches' fields, which a
 * health check can live with.
 */
final class KeySetFetches {

  /** The user-info part of a URL ({@code https://user:secret@host}), never shown in a status. */
  private static final Pattern USER_INFO = Pattern.compile("(?<=://)[^/@\\s]*@");

  private final String issuer;
  private final Duration cacheTtl;
  private final Clock clock;
  private final AtomicLong successes = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private volatile @Nullable Instant lastSuccess;
  private volatile @Nullable String lastError;

  KeySetFetches(String issuer, Duration cacheTtl, Clock clock) {
    this.issuer = issuer;
    this.cacheTtl = cacheTtl;
    this.clock = clock;
  }

  /** The origin, counted. */
  JWKSetSource<SecurityContext> counting(JWKSetSource<SecurityContext> origin) {
    return new JWKSetSource<>() {
      @Override
      public JWKSet getJWKSet(JWKSetCacheRefreshEvaluator refreshEvaluator, long currentTime, @Nullable SecurityContext context)
          throws KeySourceException {
        try {
          JWKSet set = origin.getJWKSet(refreshEvaluator, currentTime, context);
          lastSuccess = clock.instant();
          lastError = null;
          successes.incrementAndGet();
          return set;
        } catch (KeySourceException | RuntimeException e) {
          lastError = USER_INFO.matcher(LogText.oneLine(String.valueOf(e.getMessage()))).replaceAll("");
          failures.incrementAndGet();
          throw e;
        }
      }

      @Override
      public void close() throws IOException {
        origin.close();
      }
    };
  }

  /**
   * The snapshot: unhealthy when the last fetch failed and the keys in use are older than the cache allows (Nimbus
   * keeps serving them through an outage), or when there are no keys at all.
   */
  SourceStatus status() {
    Instant success = lastSuccess;
    String error = lastError;
    boolean stale = error != null && (success == null || success.plus(cacheTtl).isBefore(clock.instant()));
    return new SourceStatus(SourceStatus.JWKS, issuer, successes.get(), failures.get(), Optional.ofNullable(success), Optional.ofNullable(error), !stale);
  }
}
