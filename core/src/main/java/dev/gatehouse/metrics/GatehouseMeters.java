package dev.gatehouse.metrics;

import dev.gatehouse.Identity;

/**
 * The names of Gatehouse's meters and their tags, defined once for every delivery.
 *
 * <p>Names are Micrometer's dotted form; a Prometheus registry exports them with underscores, the counter suffix
 * {@code _total} and the base unit, so that the sidecar's {@code /metrics} and a Spring Boot application's {@code
 * /actuator/prometheus} show the same series:
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>Name</th><th>Type</th><th>Tags</th><th>Prometheus</th></tr>
 *   <tr><td>{@value #DECISIONS}</td><td>counter</td><td>decision, authn</td><td>{@code gatehouse_decisions_total}</td></tr>
 *   <tr><td>{@value #REQUEST_DURATION}</td><td>timer</td><td>decision</td><td>{@code gatehouse_request_duration_seconds}</td></tr>
 *   <tr><td>{@value #RELOADS}</td><td>counter</td><td>source, result</td><td>{@code gatehouse_reloads_total}</td></tr>
 *   <tr><td>{@value #JWKS_FETCHES}</td><td>counter</td><td>issuer, result</td><td>{@code gatehouse_jwks_fetches_total}</td></tr>
 *   <tr><td>{@value #CERTIFICATE_EXPIRY}</td><td>gauge, seconds</td><td>certificate</td>
 *       <td>{@code gatehouse_tls_certificate_expiry_timestamp_seconds}</td></tr>
 *   <tr><td>{@value #UPSTREAM_REQUEST_DURATION}</td><td>timer (sidecar)</td><td>direction, route</td>
 *       <td>{@code gatehouse_upstream_request_duration_seconds}</td></tr>
 *   <tr><td>{@value #UPSTREAM_FAILURES}</td><td>counter (sidecar)</td><td>direction, route, reason</td>
 *       <td>{@code gatehouse_upstream_failures_total}</td></tr>
 *   <tr><td>{@value #EGRESS_REQUESTS}</td><td>counter (sidecar)</td><td>route, decision</td>
 *       <td>{@code gatehouse_egress_requests_total}</td></tr>
 * </table>
 *
 * <p>Every tag has a small, bounded set of values, as Prometheus asks: no user name, path or token ever becomes one
 * (a route is a configured name).
 */
public final class GatehouseMeters {

  /** Counter of decisions, tagged {@value #DECISION_TAG} and {@value #AUTHN_TAG}. */
  public static final String DECISIONS = "gatehouse.decisions";

  /** Timer of the engine's decision, tagged {@value #DECISION_TAG}. */
  public static final String REQUEST_DURATION = "gatehouse.request.duration";

  /** Counter of reloads and key set fetches, tagged {@value #SOURCE_TAG} and {@value #RESULT_TAG}. */
  public static final String RELOADS = "gatehouse.reloads";

  /** Counter of key set fetches, tagged {@value #ISSUER_TAG} and {@value #RESULT_TAG}. */
  public static final String JWKS_FETCHES = "gatehouse.jwks.fetches";

  /** Gauge of a served certificate's expiry as a Unix time in seconds, tagged {@value #CERTIFICATE_TAG}. */
  public static final String CERTIFICATE_EXPIRY = "gatehouse.tls.certificate.expiry.timestamp";

  /** Timer of an upstream exchange, from asking for a connection to the response's end (sidecar). */
  public static final String UPSTREAM_REQUEST_DURATION = "gatehouse.upstream.request.duration";

  /** Counter of upstream exchanges that failed, tagged {@value #REASON_TAG} (sidecar). */
  public static final String UPSTREAM_FAILURES = "gatehouse.upstream.failures";

  /** Why an upstream exchange failed: {@code connect}, {@code timeout}, {@code reset} or {@code protocol}. */
  public static final String REASON_TAG = "reason";

  /** {@value #SOURCE_TAG} of the served TLS material (certificate, key, client CAs). */
  public static final String TLS = "tls";

  /**
   * Counter of the requests the application sent through the sidecar's egress listener, tagged {@value #ROUTE_TAG}
   * and {@value #DECISION_TAG} ({@code allow}, {@code deny}, {@code reject}); sidecar only.
   */
  public static final String EGRESS_REQUESTS = "gatehouse.egress.requests";

  /** Which way the upstream exchange went: {@code ingress} (to the application) or {@code egress} (to a remote). */
  public static final String DIRECTION_TAG = "direction";

  /** The egress route's name; empty for the ingress upstream, {@code -} for egress requests no route took. */
  public static final String ROUTE_TAG = "route";

  /** The decision's kind: {@link GatehouseListener.DecisionKind#tag()}. */
  public static final String DECISION_TAG = "decision";

  /** How the identity was established: {@link #authnTag}. */
  public static final String AUTHN_TAG = "authn";

  /** What was reloaded: {@link SourceStatus#kind()}. */
  public static final String SOURCE_TAG = "source";

  /** {@value #SUCCESS} or {@value #FAILURE}. */
  public static final String RESULT_TAG = "result";

  /** The JWT issuer. */
  public static final String ISSUER_TAG = "issuer";

  /** The served certificate's subject. */
  public static final String CERTIFICATE_TAG = "certificate";

  /** {@value #RESULT_TAG} of what worked. */
  public static final String SUCCESS = "success";

  /** {@value #RESULT_TAG} of what failed. */
  public static final String FAILURE = "failure";

  /** {@value #AUTHN_TAG} of a request with no identity. */
  public static final String NONE = "none";

  private GatehouseMeters() {}

  /**
   * The {@value #AUTHN_TAG} value of an authentication method: the method's name in Prometheus's label style, so
   * {@link Identity#CLIENT_CERTIFICATE} is {@code client_certificate}. Known methods return a constant, so the request
   * path allocates nothing for them.
   *
   * @param authenticationMethod an {@link Identity#authenticationMethod()}
   * @return the tag value
   */
  public static String authnTag(String authenticationMethod) {
    return switch (authenticationMethod) {
      case Identity.BASIC -> "basic";
      case Identity.JWT -> "jwt";
      case Identity.CLIENT_CERTIFICATE -> "client_certificate";
      default -> authenticationMethod.replace('-', '_');
    };
  }
}
