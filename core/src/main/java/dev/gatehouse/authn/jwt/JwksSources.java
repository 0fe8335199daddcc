package dev.gatehouse.authn.jwt;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSetUnavailableException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.URLBasedJWKSetSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jose.util.Resource;
import com.nimbusds.jose.util.ResourceRetriever;
import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.JwtIssuerConfig;
import dev.gatehouse.tls.TrustBundle;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import javax.net.ssl.SSLSocketFactory;
import org.jspecify.annotations.Nullable;

/**
 * Builds an issuer's key source with Nimbus's {@link JWKSourceBuilder}: the JWKS is cached, refreshed in the background
 * ahead of expiry, re-fetched on an unknown {@code kid} at most twice per rate-limit interval, and kept through an
 * outage of the issuer. Only the origin of the set differs: a URL, a local file, or the URL named by the issuer's
 * OpenID Connect discovery document.
 */
final class JwksSources {

  /** How the machinery is tuned. Tests shorten the times; production uses {@link #DEFAULTS}. */
  record Settings(Duration cacheTtl, Duration refreshAhead, Duration rateLimit, Duration outageTtl, Duration httpTimeout, int httpSizeLimit) {}

  /**
   * Five minutes of cache (as Nimbus and Spring), refreshed 30 s ahead in the background; unknown {@code kid}s fetch at
   * most twice per 30 s; keys survive an issuer outage for a day, since rejecting every caller is worse than trusting
   * keys that were good an hour ago. Fetches time out after 2 s and read at most 512 KiB.
   */
  static final Settings DEFAULTS =
      new Settings(Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofHours(24), Duration.ofSeconds(2), 512 * 1024);

  private JwksSources() {}

  /**
   * The key source of one issuer.
   *
   * @throws ConfigException naming {@code jwks-uri} or {@code issuer} if the keys would come from a link-local address
   *     ({@link KeySetAddresses})
   */
  static JWKSource<SecurityContext> build(JwtIssuerConfig config, Settings settings, KeySetFetches fetches) {
    config.jwksUri().ifPresent(uri -> KeySetAddresses.refusal(uri).ifPresent(reason -> {
      throw new ConfigException("jwks-uri", reason + ": " + uri);
    }));
    if (config.discovery()) {
      KeySetAddresses.refusal(URI.create(config.issuer())).ifPresent(reason -> {
        throw new ConfigException("issuer", reason + " (discovery): " + config.issuer());
      });
    }
    ResourceRetriever retriever = retriever(config, settings);
    JWKSetSource<SecurityContext> origin;
    if (config.jwksUri().isPresent()) {
      origin = new URLBasedJWKSetSource<>(url(config.jwksUri().get()), retriever);
    } else if (config.jwksFile().isPresent()) {
      origin = new FileSource(config.jwksFile().get());
    } else {
      origin = new DiscoverySource(config.issuer(), retriever);
    }
    String name = "gatehouse-jwks-" + shortName(config.issuer());
    ExecutorService refresher = Executors.newSingleThreadExecutor(daemon(name));
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(daemon(name + "-scheduler"));
    return JWKSourceBuilder.create(fetches.counting(origin))
        .cache(settings.cacheTtl().toMillis(), settings.httpTimeout().toMillis() * 2)
        .refreshAheadCache(settings.refreshAhead().toMillis(), null, refresher, true, scheduler, true)
        .rateLimited(settings.rateLimit().toMillis())
        .retrying(true)
        .outageTolerant(settings.outageTtl().toMillis())
        .build();
  }

  /**
   * Fetches over HTTP(S) with the configured timeouts and size limit, through {@code jwks-proxy} when set, trusting
   * {@code jwks-ca} instead of the JDK's CAs when set (the discovery document and the key set alike).
   */
  private static ResourceRetriever retriever(JwtIssuerConfig config, Settings settings) {
    int timeout = (int) settings.httpTimeout().toMillis();
    SSLSocketFactory sockets = null;
    if (config.jwksCa().isPresent()) {
      try {
        sockets = TrustBundle.socketFactory(config.jwksCa().get());
      } catch (IllegalArgumentException e) {
        throw new ConfigException("jwks-ca", e.getMessage(), e);
      }
    }
    DefaultResourceRetriever retriever = new NoRedirects(timeout, settings.httpSizeLimit(), sockets);
    config.jwksProxy().ifPresent(proxy -> retriever.setProxy(new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(proxy.getHost(), proxy.getPort()))));
    return retriever;
  }

  /**
   * Nimbus's retriever, except that it never follows a redirect (a 3xx is a failed fetch, logged by the key source: a
   * redirect can lead a key fetch anywhere, a metadata service included) and refuses a link-local host before each
   * connection, since a host name's addresses can change after start-up.
   */
  private static final class NoRedirects extends DefaultResourceRetriever {
    NoRedirects(int timeout, int sizeLimit, @Nullable SSLSocketFactory sockets) {
      super(timeout, timeout, sizeLimit, true, sockets);
    }

    @Override
    protected java.net.HttpURLConnection openHTTPConnection(URL url) throws IOException {
      java.util.Optional<String> refusal;
      try {
        refusal = KeySetAddresses.refusal(url.toURI());
      } catch (java.net.URISyntaxException e) {
        throw new IOException("not a URI: " + e.getReason(), e);
      }
      if (refusal.isPresent()) {
        throw new IOException(refusal.get());
      }
      java.net.HttpURLConnection connection = super.openHTTPConnection(url);
      connection.setInstanceFollowRedirects(false);
      return connection;
    }
  }

  private static ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  /** A thread name part; an issuer need not be a URL (any string is a valid {@code iss}). */
  private static String shortName(String issuer) {
    try {
      String host = new URI(issuer).getHost();
      return host == null ? "issuer" : host;
    } catch (java.net.URISyntaxException e) {
      return "issuer";
    }
  }

  private static URL url(URI uri) {
    try {
      return uri.toURL();
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not a URL: " + uri, e);
    }
  }

  /** A JWKS in a local file (a mounted ConfigMap, say), read again whenever the cache above asks. */
  private static final class FileSource implements JWKSetSource<SecurityContext> {
    private final Path file;

    FileSource(Path file) {
      this.file = file;
    }

    @Override
    public JWKSet getJWKSet(JWKSetCacheRefreshEvaluator refreshEvaluator, long currentTime, @Nullable SecurityContext context)
        throws KeySourceException {
      try {
        return JWKSet.load(file.toFile());
      } catch (IOException | java.text.ParseException e) {
        throw new JWKSetUnavailableException("cannot read JWKS file " + file + ": " + e.getMessage(), e);
      }
    }

    @Override
    public void close() {}
  }

  /**
   * OpenID Connect discovery: the JWKS URL comes from {@code <issuer>/.well-known/openid-configuration}, looked up on the
   * first fetch rather than at start-up, so an issuer that is down when Gatehouse starts does not stop it from starting.
   * The document must name the configured issuer exactly (OpenID Connect Discovery 1.0, section 4.3).
   */
  private static final class DiscoverySource implements JWKSetSource<SecurityContext> {
    private final String issuer;
    private final ResourceRetriever retriever;
    private @Nullable URLBasedJWKSetSource<SecurityContext> delegate;

    DiscoverySource(String issuer, ResourceRetriever retriever) {
      this.issuer = issuer;
      this.retriever = retriever;
    }

    @Override
    public JWKSet getJWKSet(JWKSetCacheRefreshEvaluator refreshEvaluator, long currentTime, @Nullable SecurityContext context)
        throws KeySourceException {
      return resolve().getJWKSet(refreshEvaluator, currentTime, context);
    }

    private synchronized URLBasedJWKSetSource<SecurityContext> resolve() throws KeySourceException {
      if (delegate != null) {
        return delegate;
      }
      String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
      URI documentUri = URI.create(base + "/.well-known/openid-configuration");
      Map<String, Object> document;
      try {
        Resource resource = retriever.retrieveResource(url(documentUri));
        document = JSONObjectUtils.parse(resource.getContent());
      } catch (IOException | java.text.ParseException e) {
        throw new JWKSetUnavailableException("OpenID discovery at " + documentUri + " failed: " + e.getMessage(), e);
      }
      if (!issuer.equals(document.get("issuer"))) {
        throw new JWKSetUnavailableException("OpenID discovery at " + documentUri + " names another issuer", null);
      }
      if (!(document.get("jwks_uri") instanceof String jwksUri)) {
        throw new JWKSetUnavailableException("OpenID discovery at " + documentUri + " has no jwks_uri", null);
      }
      URI uri;
      try {
        uri = new URI(jwksUri);
      } catch (java.net.URISyntaxException e) {
        throw new JWKSetUnavailableException("OpenID discovery at " + documentUri + ": jwks_uri is not a URL", e);
      }
      if (!isSafe(uri)) {
        throw new JWKSetUnavailableException("OpenID discovery at " + documentUri + ": jwks_uri must be https", null);
      }
      delegate = new URLBasedJWKSetSource<>(url(uri), retriever);
      return delegate;
    }

    /** https anywhere; http only to a loopback address, as for a configured jwks-uri. */
    private static boolean isSafe(URI uri) {
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (scheme.equals("https")) {
        return uri.getHost() != null;
      }
      if (!scheme.equals("http") || uri.getHost() == null) {
        return false;
      }
      String host = uri.getHost();
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      if (!host.equals("localhost") && !host.matches("[0-9.]+|[0-9a-fA-F:]+")) {
        return false;
      }
      try {
        return InetAddress.getByName(host).isLoopbackAddress();
      } catch (IOException e) {
        return false;
      }
    }

    @Override
    public synchronized void close() throws IOException {
      if (delegate != null) {
        delegate.close();
      }
    }
  }
}
