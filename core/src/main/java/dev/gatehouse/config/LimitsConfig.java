package dev.gatehouse.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The {@code limits} section: what one client may cost the sidecar before it is cut off. Sidecar only; an embedded
 * filter has its container's limits.
 *
 * @param headerTimeout how long a client has to send a whole request head, from its first byte (or from the accepted
 *     connection, for the first request), and to finish the TLS handshake; then 408 and the connection closes
 * @param connectionsPerPeer open connections one client IP address may hold; more are closed as they are accepted; 0
 *     turns the cap off
 */
public record LimitsConfig(Duration headerTimeout, int connectionsPerPeer) {

  /** {@code limits.header-timeout} when not configured: Jetty's and nginx's idle figures are 30 s and 60 s, slowloris needs less. */
  public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(20);

  /** {@code limits.connections-per-peer} when not configured: room for a busy front proxy or a 1000-connection load test. */
  public static final int DEFAULT_CONNECTIONS_PER_PEER = 1024;

  /** The longest {@code header-timeout}: past it the deadline protects nothing. */
  public static final Duration MAX_HEADER_TIMEOUT = Duration.ofMinutes(5);

  /** The defaults. */
  public static final LimitsConfig DEFAULTS = new LimitsConfig(DEFAULT_HEADER_TIMEOUT, DEFAULT_CONNECTIONS_PER_PEER);

  /**
   * Checks the ranges.
   *
   * @throws ConfigException (key {@code header-timeout} or {@code connections-per-peer}) for a value out of range
   */
  public LimitsConfig {
    Objects.requireNonNull(headerTimeout, "headerTimeout");
    if (headerTimeout.isNegative() || headerTimeout.isZero() || headerTimeout.compareTo(MAX_HEADER_TIMEOUT) > 0) {
      throw new ConfigException("header-timeout", "must be more than 0 and at most 5m, found " + headerTimeout);
    }
    if (connectionsPerPeer < 0) {
      throw new ConfigException("connections-per-peer", "must be 0 (no cap) or more, found " + connectionsPerPeer);
    }
  }
}
