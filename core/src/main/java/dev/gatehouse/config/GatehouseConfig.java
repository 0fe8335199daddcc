package dev.gatehouse.config;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole configuration tree of DESIGN.md, as immutable records nested like the YAML.
 *
 * <p>Build one with {@link ConfigLoader} from a YAML file, a map tree (Spring Boot) or key overrides (the sidecar's
 * flags and {@code GATEHOUSE_*} variables); every route runs the same validation, so a bad value reads the same
 * wherever it came from.
 *
 * @param listen where the sidecar listens; sidecar only
 * @param upstream where the sidecar forwards to ({@code http://127.0.0.1:8080}); sidecar only
 * @param allowRemoteUpstream whether {@code upstream} may be a non-loopback address; off by default, since a sidecar
 *     that forwards to a remote host by mistake sends authenticated traffic in clear text across the network
 * @param authentication the authentication methods
 * @param authorization the authorization rules; {@link AuthorizationConfig#NONE} when not configured
 * @param tls the sidecar's TLS listener; sidecar only (the filter and Spring Boot use their container's TLS)
 * @param upstreamProtocol how the sidecar speaks to the upstream; sidecar only
 * @param assertion the assertion the sidecar signs into every forwarded request; sidecar only
 * @param operations the sidecar's admin listener, drain, access log and log format; sidecar only
 * @param headers which routing headers the client may pass to the application; {@link HeadersConfig#DEFAULTS} removes all
 * @param limits the sidecar's request-head deadline and per-peer connection cap; sidecar only
 * @param egress the egress listener and its routes; sidecar only
 * @param credentials the credentials endpoint; sidecar only
 */
public record GatehouseConfig(
    Optional<InetSocketAddress> listen,
    Optional<URI> upstream,
    boolean allowRemoteUpstream,
    AuthenticationConfig authentication,
    AuthorizationConfig authorization,
    Optional<TlsConfig> tls,
    UpstreamProtocol upstreamProtocol,
    Optional<AssertionConfig> assertion,
    OperationsConfig operations,
    HeadersConfig headers,
    LimitsConfig limits,

    Optional<EgressConfig> egress,
    Optional<CredentialsConfig> credentials) {

  /** The sidecar's listen address when none is configured. */
  public static final String DEFAULT_LISTEN = "0.0.0.0:8000";

  /**
   * Checks combinations.
   *
   * @throws IllegalArgumentException if the upstream is remote and that was not explicitly allowed
   */
  public GatehouseConfig {
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(upstream, "upstream");
    Objects.requireNonNull(authentication, "authentication");
    Objects.requireNonNull(authorization, "authorization");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(upstreamProtocol, "upstreamProtocol");
    Objects.requireNonNull(assertion, "assertion");
    Objects.requireNonNull(operations, "operations");
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(egress, "egress");
    Objects.requireNonNull(credentials, "credentials");
    if (upstream.isPresent() && !allowRemoteUpstream && !Upstreams.isLocal(upstream.get())) {
      throw new IllegalArgumentException(
          upstream.get().getHost()
              + " is not a loopback address; set allow-remote-upstream: true if forwarding off this host is intended");
    }
  }

  /**
   * A configuration with the sidecar's default operations settings (no admin listener, no access log, text logs), which
   * removes every routing header, has the default limits, and no egress listener or credentials endpoint.
   *
   * @param listen see {@link #listen()}
   * @param upstream see {@link #upstream()}
   * @param allowRemoteUpstream see {@link #allowRemoteUpstream()}
   * @param authentication see {@link #authentication()}
   * @param authorization see {@link #authorization()}
   * @param tls see {@link #tls()}
   * @param upstreamProtocol see {@link #upstreamProtocol()}
   * @param assertion see {@link #assertion()}
   */
  public GatehouseConfig(
      Optional<InetSocketAddress> listen,
      Optional<URI> upstream,
      boolean allowRemoteUpstream,
      AuthenticationConfig authentication,
      AuthorizationConfig authorization,
      Optional<TlsConfig> tls,
      UpstreamProtocol upstreamProtocol,
      Optional<AssertionConfig> assertion) {
    this(listen, upstream, allowRemoteUpstream, authentication, authorization, tls, upstreamProtocol, assertion, OperationsConfig.DEFAULT, HeadersConfig.DEFAULTS, LimitsConfig.DEFAULTS,
        Optional.empty(), Optional.empty());
  }

  /**
   * A configuration that speaks HTTP/1.1 to the upstream, signs no assertion and has the defaults above.
   *
   * @param listen see {@link #listen()}
   * @param upstream see {@link #upstream()}
   * @param allowRemoteUpstream see {@link #allowRemoteUpstream()}
   * @param authentication see {@link #authentication()}
   * @param authorization see {@link #authorization()}
   * @param tls see {@link #tls()}
   */
  public GatehouseConfig(
      Optional<InetSocketAddress> listen,
      Optional<URI> upstream,
      boolean allowRemoteUpstream,
      AuthenticationConfig authentication,
      AuthorizationConfig authorization,
      Optional<TlsConfig> tls) {
    this(listen, upstream, allowRemoteUpstream, authentication, authorization, tls, UpstreamProtocol.HTTP1, Optional.empty());
  }

  /**
   * A configuration without authorization rules and without TLS.
   *
   * @param listen see {@link #listen()}
   * @param upstream see {@link #upstream()}
   * @param allowRemoteUpstream see {@link #allowRemoteUpstream()}
   * @param authentication see {@link #authentication()}
   */
  public GatehouseConfig(
      Optional<InetSocketAddress> listen, Optional<URI> upstream, boolean allowRemoteUpstream, AuthenticationConfig authentication) {
    this(listen, upstream, allowRemoteUpstream, authentication, AuthorizationConfig.NONE, Optional.empty());
  }

  /**
   * Where the sidecar listens: {@link #listen()}, or {@value #DEFAULT_LISTEN} when none is configured.
   *
   * @return an unresolved host and port
   */
  public InetSocketAddress listenOrDefault() {
    return listen.orElseGet(() -> ConfigType.hostPort(DEFAULT_LISTEN));
  }
}
