package dev.gatehouse.sidecar;

import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.CredentialsConfig;
import dev.gatehouse.config.EgressConfig;
import dev.gatehouse.config.GatehouseConfig;
import dev.gatehouse.tls.OriginTls;
import java.io.IOException;
import java.net.BindException;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar's outbound half, started beside the ingress proxy when the configuration has {@code egress} or {@code
 * credentials}: the egress listener and the credentials endpoint, which share the routes' token sources.
 */
final class Ambassador {

  private static final Logger log = LoggerFactory.getLogger(Ambassador.class);

  private final Optional<EgressServer> egress;
  private final Optional<CredentialsServer> credentials;

  private Ambassador(Optional<EgressServer> egress, Optional<CredentialsServer> credentials) {
    this.egress = egress;
    this.credentials = credentials;
  }

  /**
   * Starts what the configuration asks for.
   *
   * @param observers where each egress exchange's meters and access-log line go
   * @return the running ambassador; empty when neither section is configured
   * @throws ConfigException for an unusable file or an address that cannot be bound, naming the key
   */
  static Optional<Ambassador> start(GatehouseConfig config, Duration upstreamIdleTimeout, Observers observers) {
    if (config.egress().isEmpty() && config.credentials().isEmpty()) {
      return Optional.empty();
    }
    Optional<EgressServer> egress = Optional.empty();
    Optional<EgressRoutes> routes = Optional.empty();
    try {
      if (config.egress().isPresent()) {
        EgressConfig egressConfig = config.egress().get();
        routes = Optional.of(EgressRoutes.create(egressConfig, OriginTls.DEFAULT_RELOAD_INTERVAL, Clock.systemUTC()));
        EgressServer server = new EgressServer(
                routes.get(),
                egressConfig.listen(),
                upstreamIdleTimeout,
                config.limits().headerTimeout(),
                exchange -> {
                  EgressServer.logExchange(exchange);
                  observers.egress(exchange);
                });
        egress = Optional.of(server);
        bind("egress.listen", egressConfig.listen().toString(), server::start);
        log.info("gatehouse egress listening on {}, {} route(s)", where(egressConfig.listen(), server.port()), egressConfig.routes().size());
      }
      Optional<CredentialsServer> credentials = Optional.empty();
      if (config.credentials().isPresent()) {
        CredentialsConfig credentialsConfig = config.credentials().get();
        Optional<EgressRoutes> tokenRoutes = routes;
        CredentialsServer server =
            new CredentialsServer(credentialsConfig, name -> tokenRoutes.flatMap(r -> r.named(name)).flatMap(EgressRoutes.Target::tokens), CredentialsServer.POLL_INTERVAL, config.limits().headerTimeout());
        credentials = Optional.of(server);
        bind("credentials.listen", "unix:" + credentialsConfig.listen(), server::start);
        log.info("gatehouse credentials endpoint on unix:{}, {} item(s), uids {}", credentialsConfig.listen(), credentialsConfig.items().size(), credentialsConfig.allowUids());
      }
      return Optional.of(new Ambassador(egress, credentials));
    } catch (RuntimeException e) {
      egress.ifPresent(server -> server.stop(Duration.ZERO));
      if (egress.isEmpty()) {
        routes.ifPresent(EgressRoutes::close);
      }
      throw e;
    }
  }

  private interface Start {
    void run() throws Exception;
  }

  private static void bind(String key, String address, Start start) {
    try {
      start.run();
    } catch (Exception e) {
      for (Throwable cause = e; cause != null; cause = cause.getCause()) {
        if (cause instanceof BindException || cause instanceof IOException) {
          throw new ConfigException(key, "cannot listen on " + address + ": " + String.valueOf(cause.getMessage()).replaceFirst("^bind\\(\\.\\.\\) failed: ", ""), e);
        }
      }
      throw new IllegalStateException(e.toString(), e);
    }
  }

  private static String where(SocketAddress address, int port) {
    return address instanceof java.net.InetSocketAddress inet ? inet.getAddress().getHostAddress() + ":" + port : "unix:" + address;
  }

  /** The egress listener's bound port, -1 on a Unix socket or without one; for tests. */
  int egressPort() {
    return egress.map(EgressServer::port).orElse(-1);
  }

  /** Lets egress exchanges in flight finish for up to {@code timeout}, then stops both. */
  void stop(Duration timeout) {
    try {
      egress.ifPresent(server -> server.stop(timeout));
    } finally {
      credentials.ifPresent(CredentialsServer::stop);
    }
  }
}
