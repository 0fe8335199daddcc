package dev.gatehouse.sidecar;

import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.EgressConfig;
import dev.gatehouse.config.EgressRoute;
import dev.gatehouse.config.EgressTlsConfig;
import dev.gatehouse.path.CanonicalPath;
import dev.gatehouse.path.PathCanonicalizer;
import dev.gatehouse.tls.OriginTls;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The egress routes as the data plane uses them, and the one function that says where a request goes.
 *
 * <p>Origin-form targets ({@code /orders/v1/items}) are canonicalised by core's {@link PathCanonicalizer} first, so
 * {@code /orders/../admin} is {@code /admin} and matches no {@code /orders/} route, and an ambiguous path is refused
 * (400); the longest prefix wins, and a path equal to a prefix without its final slash matches it. The remote path is
 * the upstream's path followed by what comes after the prefix; the query is kept. Absolute-form targets ({@code
 * http://orders.partner.example:8443/api/v1/items}, sent by apps configured with {@code HTTP_PROXY}) are matched by the
 * upstream's host (case-insensitive) and port (a URL without a port matches any route of that host), scheme {@code http}
 * or {@code https} (the call out is always TLS), and then by the upstream's path as prefix; another host is refused
 * (403). Nothing else is ever a target: the listener is not an open proxy.
 */
final class EgressRoutes implements AutoCloseable {

  /**
   * One route at run time.
   *
   * @param route its configuration
   * @param address where to connect, resolved at each new connection; the name verified and sent as SNI
   * @param authority the {@code Host} the remote receives
   * @param sslContext the TLS towards it: trust, host name verification, the SPIFFE check, the client certificate
   * @param originTls the material behind it, closed with the routes
   * @param tokens the route's access tokens, when it has {@code oauth2}
   */
  record Target(EgressRoute route, UpstreamAddress address, String authority, SslContext sslContext, OriginTls originTls, Optional<TokenSource> tokens) {}

  /** Where a request goes. */
  sealed interface Match {}

  /** To a route, at this path and query. */
  record Routed(Target target, String pathAndQuery) implements Match {}

  /** No route: 404, nothing sent. */
  record NoRoute() implements Match {}

  /** An absolute-form target to a host no route names: 403, nothing sent. */
  record ForeignHost(String host) implements Match {}

  /** A target that cannot be read unambiguously: 400. */
  record BadTarget(String reason) implements Match {}

  private final List<Target> byPrefix;
  private final Map<String, Target> byName;

  private EgressRoutes(List<Target> targets) {
    List<Target> sorted = new ArrayList<>(targets);
    sorted.sort(Comparator.comparingInt((Target t) -> t.route().prefix().length()).reversed());
    this.byPrefix = List.copyOf(sorted);
    Map<String, Target> names = new LinkedHashMap<>();
    for (Target target : targets) {
      names.put(target.route().name(), target);
    }
    this.byName = Map.copyOf(names);
  }

  /**
   * Builds every route's TLS and token source.
   *
   * @throws ConfigException naming the route's key when a file or ID is unusable
   */
  static EgressRoutes create(EgressConfig config, Duration reloadInterval, Clock clock) {
    List<Target> targets = new ArrayList<>();
    HttpClient tokenClient = null;
    try {
      for (int i = 0; i < config.routes().size(); i++) {
        EgressRoute route = config.routes().get(i);
        String key = "egress.routes[" + i + "]";
        EgressTlsConfig tlsConfig = route.tls().orElse(new EgressTlsConfig(Optional.empty(), Optional.empty(), List.of(), Optional.empty(), Optional.empty()));
        OriginTls originTls;
        try {
          originTls = OriginTls.create(tlsConfig, reloadInterval);
        } catch (ConfigException e) {
          throw e.within(key + ".tls");
        }
        SslContext sslContext;
        Optional<TokenSource> tokens = Optional.empty();
        try {
          sslContext = sslContext(originTls, tlsConfig, key);
          if (route.oauth2().isPresent()) {
            if (tokenClient == null) {
              tokenClient = TokenEndpoint.newHttpClient();
            }
            TokenEndpoint endpoint;
            try {
              endpoint = new TokenEndpoint(route.oauth2().get(), tokenClient);
            } catch (ConfigException e) {
              throw e.within(key + ".oauth2");
            }
            tokens = Optional.of(new TokenSource(route.name(), endpoint::fetch, clock));
          }
        } catch (RuntimeException e) {
          originTls.close();
          throw e;
        }
        String serverName = tlsConfig.serverName().orElse(route.upstreamHost());
        // Unresolved: a remote's address is looked up at each new connection, so a DNS change is followed.
        UpstreamAddress address = new UpstreamAddress(InetSocketAddress.createUnresolved(route.upstreamHost(), route.upstreamPort()), false, true, serverName);
        String host = route.upstream().getHost();
        String authority = route.upstream().getPort() < 0 ? host : host + ":" + route.upstream().getPort();
        targets.add(new Target(route, address, authority, sslContext, originTls, tokens));
      }
    } catch (RuntimeException e) {
      targets.forEach(t -> t.originTls().close());
      throw e;
    }
    return new EgressRoutes(targets);
  }

  private static SslContext sslContext(OriginTls originTls, EgressTlsConfig config, String key) {
    X509ExtendedTrustManager trust = originTls.trustManager();
    if (!config.peerSpiffeIds().isEmpty()) {
      Set<String> ids;
      try {
        ids = PeerSpiffeIds.parse(config.peerSpiffeIds());
      } catch (ConfigException e) {
        throw e.within(key);
      }
      trust = new PeerSpiffeIds(trust, ids);
    }
    try {
      SslContextBuilder builder =
          SslContextBuilder.forClient()
              .sslProvider(SslProvider.JDK)
              .trustManager(trust)
              // On by default in Netty 4.2; said here because the whole route's security rests on it.
              .endpointIdentificationAlgorithm("HTTPS");
      originTls.keyManager().ifPresent(builder::keyManager);
      return builder.build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up TLS for " + key + ": " + e.getMessage(), e);
    }
  }

  List<Target> targets() {
    return byPrefix;
  }

  Optional<Target> named(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** Where the request target goes. */
  Match match(String requestTarget) {
    if (requestTarget.startsWith("/")) {
      return originForm(requestTarget);
    }
    if (requestTarget.regionMatches(true, 0, "http://", 0, 7) || requestTarget.regionMatches(true, 0, "https://", 0, 8)) {
      return absoluteForm(requestTarget);
    }
    return new BadTarget("neither a path nor an http(s) URL");
  }

  private Match originForm(String requestTarget) {
    int query = requestTarget.indexOf('?');
    String rawPath = query < 0 ? requestTarget : requestTarget.substring(0, query);
    String rawQuery = query < 0 ? "" : requestTarget.substring(query);
    if (!(PathCanonicalizer.canonicalize(rawPath) instanceof CanonicalPath.Valid valid)) {
      return new BadTarget("ambiguous path");
    }
    String path = valid.path();
    for (Target target : byPrefix) {
      String prefix = target.route().prefix();
      if (path.startsWith(prefix) || (path.length() == prefix.length() - 1 && prefix.startsWith(path))) {
        String rest = path.length() >= prefix.length() ? path.substring(prefix.length()) : "";
        return new Routed(target, target.route().upstreamPath() + rest + rawQuery);
      }
    }
    return new NoRoute();
  }

  private Match absoluteForm(String requestTarget) {
    URI uri;
    try {
      uri = new URI(requestTarget);
    } catch (URISyntaxException e) {
      return new BadTarget("not a valid URL");
    }
    if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
      return new BadTarget("URL without a host, or with user info or a fragment");
    }
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    int port = uri.getPort();
    List<Target> sameHost = new ArrayList<>();
    for (Target target : byPrefix) {
      if (target.route().upstream().getHost().toLowerCase(Locale.ROOT).equals(host) && (port < 0 || port == target.route().upstreamPort())) {
        sameHost.add(target);
      }
    }
    if (sameHost.isEmpty()) {
      return new ForeignHost(host);
    }
    String rawPath = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (!(PathCanonicalizer.canonicalize(rawPath) instanceof CanonicalPath.Valid valid)) {
      return new BadTarget("ambiguous path");
    }
    String path = valid.path();
    String rawQuery = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
    Target best = null;
    for (Target target : sameHost) {
      String base = target.route().upstreamPath();
      if ((path.startsWith(base) || (path.length() == base.length() - 1 && base.startsWith(path)))
          && (best == null || base.length() > best.route().upstreamPath().length())) {
        best = target;
      }
    }
    if (best == null) {
      return new NoRoute();
    }
    String forwarded = path.length() >= best.route().upstreamPath().length() ? path : best.route().upstreamPath();
    return new Routed(best, forwarded + rawQuery);
  }

  @Override
  public void close() {
    for (Target target : byPrefix) {
      target.originTls().close();
    }
  }
}
