package dev.gatehouse.sidecar;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access token of one egress route: fetched once for any number of concurrent callers, used until 30 s before it
 * expires, fetched anew in the background once three quarters of that time have passed, and kept in use while the
 * token endpoint fails, until it expires; then callers fail (the egress answers 503) and a new fetch is tried at most
 * once every {@link #RETRY_INTERVAL}.
 *
 * <p>Design: one lock guards the token and the fetch in flight; nothing blocks while holding it (a fetch is a future),
 * so an event loop may call {@link #token()}. An own class rather than Caffeine's {@code AsyncLoadingCache}: its
 * refresh is per-entry but at a fixed delay after the write, while a token's refresh time comes from its own lifetime,
 * and "serve the old value after a failed refresh until it expires" would need an {@code Expiry} that reads the
 * failure; the state here is one token, which a lock and a future express directly.
 */
final class TokenSource {

  /** How long before the token's expiry it stops being used, as the issue says: clocks and queues differ. */
  static final Duration EXPIRY_MARGIN = Duration.ofSeconds(30);

  /** The lifetime assumed when the response says nothing ({@code expires_in} is only RECOMMENDED, RFC 6749 5.1). */
  static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(5);

  /** After a failed fetch, the next is not tried sooner: a down endpoint is not called once per request. */
  static final Duration RETRY_INTERVAL = Duration.ofSeconds(1);

  private static final Logger log = LoggerFactory.getLogger(TokenSource.class);

  private final String route;
  private final Supplier<CompletableFuture<TokenEndpoint.TokenResponse>> endpoint;
  private final Clock clock;
  private final List<Consumer<AccessToken>> listeners = new CopyOnWriteArrayList<>();
  private final Object lock = new Object();
  // Guarded by lock.
  private AccessToken current;
  private CompletableFuture<AccessToken> inFlight;
  private Instant nextAttempt = Instant.MIN;
  private long fetches;

  TokenSource(String route, Supplier<CompletableFuture<TokenEndpoint.TokenResponse>> endpoint, Clock clock) {
    this.route = route;
    this.endpoint = endpoint;
    this.clock = clock;
  }

  /** Thrown (inside the future) when no usable token can be had; its message is one line, without secrets. */
  static final class TokenUnavailableException extends RuntimeException {
    TokenUnavailableException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * The token to use now: at once when one is cached (starting a background refresh when due), else the fetch in
   * flight, shared by every caller.
   */
  CompletableFuture<AccessToken> token() {
    Instant now = clock.instant();
    synchronized (lock) {
      AccessToken token = current;
      if (token != null && now.isBefore(token.usableUntil())) {
        if (!now.isBefore(token.refreshAt()) && inFlight == null && !now.isBefore(nextAttempt)) {
          fetchLocked(now);
        }
        return CompletableFuture.completedFuture(token);
      }
      if (inFlight != null) {
        return inFlight;
      }
      if (now.isBefore(nextAttempt)) {
        return CompletableFuture.failedFuture(new TokenUnavailableException("no access token for route " + route + ": the token endpoint failed moments ago"));
      }
      return fetchLocked(now);
    }
  }

  /** The cached token, if one is usable now; never fetches. */
  java.util.Optional<AccessToken> cached() {
    Instant now = clock.instant();
    synchronized (lock) {
      return current != null && now.isBefore(current.usableUntil()) ? java.util.Optional.of(current) : java.util.Optional.empty();
    }
  }

  /** Called after each newly fetched token, on the thread that completed the fetch. */
  void onNewToken(Consumer<AccessToken> listener) {
    listeners.add(listener);
  }

  /** How many fetches were started, for tests. */
  long fetches() {
    synchronized (lock) {
      return fetches;
    }
  }

  private CompletableFuture<AccessToken> fetchLocked(Instant now) {
    fetches++;
    CompletableFuture<AccessToken> fetch;
    try {
      fetch = endpoint.get().thenApply(response -> token(response, clock.instant()));
    } catch (RuntimeException e) {
      fetch = CompletableFuture.failedFuture(e);
    }
    // Callers that share the fetch get the same outcome: the new token, the still usable old one, or the failure.
    CompletableFuture<AccessToken> result = new CompletableFuture<>();
    inFlight = result;
    fetch.whenComplete(
        (token, failure) -> {
          boolean fresh = false;
          AccessToken stillUsable = null;
          synchronized (lock) {
            if (inFlight == result) {
              inFlight = null;
            }
            if (failure == null) {
              current = token;
              nextAttempt = Instant.MIN;
              fresh = true;
            } else {
              nextAttempt = clock.instant().plus(RETRY_INTERVAL);
              if (current != null && clock.instant().isBefore(current.usableUntil())) {
                stillUsable = current;
              }
            }
          }
          if (fresh) {
            log.debug("egress route {}: new access token, used until {}", route, token.usableUntil());
            for (Consumer<AccessToken> listener : listeners) {
              listener.accept(token);
            }
            result.complete(token);
          } else {
            String reason = TokenEndpoint.reason(failure);
            if (stillUsable != null) {
              log.warn("egress route {}: refreshing the access token failed, the cached one is used until {}: {}", route, stillUsable.usableUntil(), reason);
              result.complete(stillUsable);
            } else {
              log.warn("egress route {}: no access token: {}", route, reason);
              result.completeExceptionally(new TokenUnavailableException("no access token for route " + route + ": " + reason));
            }
          }
        });
    return result;
  }

  private static AccessToken token(TokenEndpoint.TokenResponse response, Instant now) {
    Instant expires = response.expiresAt(now).orElse(now.plus(DEFAULT_LIFETIME));
    Instant usableUntil = expires.minus(EXPIRY_MARGIN);
    if (!usableUntil.isAfter(now)) {
      // A token that lives no longer than the margin is used once, for the request that asked, and fetched anew after.
      usableUntil = now.plusMillis(1);
    }
    Duration usable = Duration.between(now, usableUntil);
    Instant refreshAt = now.plus(usable.multipliedBy(3).dividedBy(4));
    return new AccessToken(response.accessToken(), now, usableUntil, refreshAt);
  }
}
