package dev.gatehouse.sidecar;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.internal.LogText;
import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.config.EgressRoute;
import dev.gatehouse.config.GatehouseConfig;
import dev.gatehouse.config.OperationsConfig;
import dev.gatehouse.sidecar.internal.LogbackConfigurator;
import dev.gatehouse.config.LimitsConfig;
import dev.gatehouse.config.UpstreamProtocol;
import dev.gatehouse.sidecar.inject.InjectCommand;
import dev.gatehouse.tls.SelfSignedCertificate;
import dev.gatehouse.tls.ServerTls;
import dev.gatehouse.tls.TlsStatus;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Gatehouse sidecar: a reverse proxy that authenticates every request with the engine and forwards the allowed
 * ones to one upstream, for apps that cannot embed Gatehouse.
 *
 * <p>Run it as {@code java -jar gatehouse-sidecar.jar --upstream http://127.0.0.1:8080 --htpasswd ./htpasswd}; {@code
 * --help} lists every option. A bad configuration (including a port in use) prints one line to standard error and
 * exits with status 2. {@code SIGTERM} or {@code SIGINT} drains: {@code /readyz} answers 503 at once, requests are
 * served for {@code shutdown.drain-delay} more, then the listener closes, in-flight requests get up to {@code
 * --shutdown-timeout} seconds, and the process exits with status 0 ({@code docs/operations.md}).
 *
 * <p>The data plane is Netty (native epoll where available): one event loop per processor, each client connection and
 * the upstream connections it uses on the same loop, bodies streamed. {@link ForwardingHandler} asks the engine about
 * each request and forwards the allowed ones; {@code docs/sidecar.md} explains the design and the measurements behind
 * it. Start it with the JVM flags in {@code sidecar/jvm.options}.
 */
public final class GatehouseSidecar implements AutoCloseable {

  /** The exit status for a configuration the sidecar refuses to start with. */
  static final int EXIT_BAD_CONFIGURATION = 2;

  private static final Logger log = LoggerFactory.getLogger(GatehouseSidecar.class);

  /** How long an upstream connection may stay silent, waiting for a response included, before a 504; as nginx. */
  static final Duration DEFAULT_UPSTREAM_IDLE_TIMEOUT = Duration.ofSeconds(60);

  private final Gatehouse gatehouse;
  private final AuditLines audit;
  private final Optional<ServerTls> tls;
  private final ProxyServer server;
  private final Duration shutdownTimeout;
  private final OperationsConfig operations;
  private final Optional<SidecarMetrics> metrics;
  private final Optional<AuditLines> accessLog;
  private Optional<AdminServer> admin = Optional.empty();
  private Readiness readiness;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean exiting = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile Optional<Ambassador> ambassador = Optional.empty();

  private GatehouseSidecar(
      Gatehouse gatehouse,
      AuditLines audit,
      Optional<ServerTls> tls,
      InetSocketAddress listen,
      URI upstream,
      UpstreamProtocol upstreamProtocol,
      Duration shutdownTimeout,
      Duration upstreamIdleTimeout,
      OperationsConfig operations,
      Optional<SidecarMetrics> metrics,
      Optional<AuditLines> accessLog,
      Observers observers,
      LimitsConfig limits) {
    this.gatehouse = gatehouse;
    this.audit = audit;
    this.tls = tls;
    this.shutdownTimeout = shutdownTimeout;
    this.operations = operations;
    this.metrics = metrics;
    this.accessLog = accessLog;
    this.server = new ProxyServer(gatehouse::decide, tls, listen, upstream, upstreamProtocol, shutdownTimeout, upstreamIdleTimeout, observers, limits);
  }

  /**
   * Runs the sidecar until {@code SIGTERM} or {@code SIGINT}.
   *
   * @param args the command line; {@code --help} lists it
   */
  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("check")) {
      System.exit(AuthorizationCheck.run(args, System.getenv(), System.out, System.err));
      return;
    }
    if (args.length > 0 && args[0].equals("keygen")) {
      System.exit(KeyGenerator.run(args, System.out, System.err));
      return;
    }
    if (args.length > 0 && args[0].equals("loopback-guard")) {
      System.exit(LoopbackGuard.run(args, System.getenv(), System.out, System.err));
      return;
    }
    if (args.length > 0 && args[0].equals("inject")) {
      System.exit(InjectCommand.run(args, System.in, System.out, System.err));
      return;
    }
    // Before any TLS class loads: no client-initiated renegotiation (TLS 1.2), and sessions kept in the server's cache
    // rather than in stateless tickets, so that a certificate or CA reload can end them (ServerTls).
    setIfAbsent("jdk.tls.rejectClientInitiatedRenegotiation", "true");
    setIfAbsent("jdk.tls.server.enableSessionTicketExtension", "false");
    // Mozilla's key exchange groups, most preferred first; the JDK would also offer secp521r1, X448 and FFDHE groups.
    setIfAbsent("jdk.tls.namedGroups", "x25519,secp256r1,secp384r1");
    GatehouseSidecar sidecar;
    try {
      CommandLine commandLine = CommandLine.parse(args, System.getenv());
      switch (commandLine.action()) {
        case HELP -> {
          System.out.print(CommandLine.HELP);
          return;
        }
        case VERSION -> {
          System.out.println("gatehouse-sidecar " + version());
          return;
        }
        case RUN -> {
          Optional<SelfSignedCertificate> selfSigned = Optional.empty();
          if (commandLine.selfSigned()) {
            selfSigned = Optional.of(SelfSignedCertificate.generate());
            System.out.println(
                "gatehouse: serving a THROWAWAY self-signed certificate for localhost (trials only); SHA-256 fingerprint "
                    + selfSigned.get().sha256Fingerprint()
                    + "; CA certificate "
                    + selfSigned.get().caCertificate());
          }
          sidecar = start(commandLine, selfSigned);
        }
        default -> throw new AssertionError(commandLine.action());
      }
    } catch (ConfigException e) {
      System.err.println("gatehouse: " + LogText.oneLine(e.getMessage()));
      System.exit(EXIT_BAD_CONFIGURATION);
      return;
    } catch (RuntimeException e) {
      log.debug("start-up failed", e);
      System.err.println("gatehouse: cannot start: " + LogText.oneLine(e.getMessage() == null ? e.toString() : e.getMessage()));
      System.exit(1);
      return;
    }
    sidecar.exitOnSignals();
    sidecar.join();
  }

  /**
   * The JVM's own SIGTERM handling exits with 143 and drains nothing; Kubernetes expects a drained exit 0. {@code
   * sun.misc.Signal} (jdk.unsupported) is the only way to get that; javac warns about it and cannot be told not to.
   */
  private static void setIfAbsent(String property, String value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, value);
    }
  }

  private void exitOnSignals() {
    sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> exit("SIGTERM"));
    sun.misc.Signal.handle(new sun.misc.Signal("INT"), signal -> exit("SIGINT"));
  }

  /**
   * Starts a sidecar in this JVM, for launchers and tests that embed it rather than run the jar.
   *
   * @param config a validated configuration; {@code upstream} is required here
   * @param shutdownTimeout how long {@link #close()} lets in-flight requests finish
   * @return the running sidecar
   * @throws ConfigException if the configuration lacks an upstream, names an unusable file, or the port is taken
   */
  public static GatehouseSidecar start(GatehouseConfig config, Duration shutdownTimeout) {
    return start(config, shutdownTimeout, DEFAULT_UPSTREAM_IDLE_TIMEOUT);
  }

  static GatehouseSidecar start(GatehouseConfig config, Duration shutdownTimeout, Duration upstreamIdleTimeout) {
    return start(config, shutdownTimeout, upstreamIdleTimeout, Optional.empty(), Map.of());
  }

  /** From the command line: with a configuration file, its authorization rules reload when it changes. */
  static GatehouseSidecar start(CommandLine commandLine) {
    return start(commandLine, Optional.empty());
  }

  private static GatehouseSidecar start(CommandLine commandLine, Optional<SelfSignedCertificate> selfSigned) {
    Map<String, String> overrides = selfSigned.map(commandLine::overridesWith).orElse(commandLine.overrides());
    return start(
        ConfigLoader.load(commandLine.configFile(), overrides),
        commandLine.shutdownTimeout(),
        DEFAULT_UPSTREAM_IDLE_TIMEOUT,
        commandLine.configFile(),
        overrides);
  }

  private static GatehouseSidecar start(
      GatehouseConfig config,
      Duration shutdownTimeout,
      Duration upstreamIdleTimeout,
      Optional<Path> configFile,
      Map<String, String> overrides) {
    URI upstream =
        config.upstream().orElseThrow(() -> new ConfigException("upstream", "missing; set --upstream, GATEHOUSE_UPSTREAM or upstream:"));
    InetSocketAddress listen = config.listenOrDefault();
    OperationsConfig operations = config.operations();
    LogbackConfigurator.json(operations.logFormat() == OperationsConfig.LogFormat.JSON);
    Optional<AuditLines> accessLog = accessLog(operations.accessLog());
    Optional<ServerTls> tls;
    try {
      tls = config.tls().map(ServerTls::create);
    } catch (RuntimeException e) {
      accessLog.ifPresent(AuditLines::close);
      throw e;
    }
    // The engine is built with the metrics as its listener, and the metrics read the engine: hence the holder.
    AtomicReference<Gatehouse> engine = new AtomicReference<>();
    Optional<SidecarMetrics> metrics =
        operations.admin().map(admin -> new SidecarMetrics(engine::get, () -> tls.map(ServerTls::status), egressRouteNames(config)));
    Observers observers = new Observers(metrics, accessLog);
    Gatehouse gatehouse;
    // Audit lines batched onto standard output rather than a logging event each: most of a refusal's cost otherwise.
    AuditLines audit = new AuditLines(System.out);
    try {
      // The file was read once, above; the engine starts from that reading and reloads its rules when the file changes.
      Gatehouse.Builder builder = Gatehouse.builder().config(config).auditSink(audit);
      if (observers.any()) {
        builder.listener(observers);
      }
      configFile.ifPresent(file -> builder.reloadingRules(file, overrides));
      gatehouse = builder.build();
      engine.set(gatehouse);
      metrics.ifPresent(SidecarMetrics::bind);
    } catch (RuntimeException e) {
      tls.ifPresent(ServerTls::close);
      audit.close();
      accessLog.ifPresent(AuditLines::close);
      metrics.ifPresent(SidecarMetrics::close);
      throw e;
    }
    GatehouseSidecar sidecar;
    try {
      sidecar =
          new GatehouseSidecar(
              gatehouse, audit, tls, listen, upstream, config.upstreamProtocol(), shutdownTimeout, upstreamIdleTimeout, operations, metrics, accessLog, observers, config.limits());
    } catch (RuntimeException e) {
      gatehouse.close();
      tls.ifPresent(ServerTls::close);
      audit.close();
      accessLog.ifPresent(AuditLines::close);
      metrics.ifPresent(SidecarMetrics::close);
      throw e;
    }
    try {
      sidecar.server.start();
    } catch (Exception e) {
      sidecar.close();
      throw startFailure("listen", listen, e);
    }
    try {
      sidecar.ambassador = Ambassador.start(config, upstreamIdleTimeout, observers);
    } catch (RuntimeException e) {
      sidecar.close();
      throw e;
    }
    log.info(
        "gatehouse sidecar listening on {}://{}:{}, forwarding to {}{}",
        tls.isPresent() ? "https" : "http",
        host(listen),
        sidecar.port(),
        upstream,
        config.upstreamProtocol() == UpstreamProtocol.H2C ? " (h2c)" : "");
    sidecar.readiness =
        new Readiness(sidecar.server.group().next(), sidecar.server.transport(), UpstreamAddress.of(upstream), sidecar::tlsStatus, Clock.systemUTC());
    if (operations.admin().isPresent()) {
      AdminServer adminServer =
          new AdminServer(sidecar.server.group(), sidecar.server.transport(), operations.admin().get(), sidecar.readiness, metrics.orElseThrow());
      sidecar.admin = Optional.of(adminServer);
      try {
        adminServer.start();
      } catch (Exception e) {
        sidecar.close();
        throw startFailure("admin", operations.admin().get(), e);
      }
      log.info("admin listener on http://{}:{} (/livez, /readyz, /metrics)", host(operations.admin().get()), adminServer.port());
    }
    log.debug("data plane: Netty {}, {} event loop(s)", sidecar.server.transportName(), Runtime.getRuntime().availableProcessors());
    return sidecar;
  }

  /** The access log's lines, batched like the audit lines; a file is appended to, and created if need be. */
  private static List<String> egressRouteNames(GatehouseConfig config) {
    return config.egress().map(egress -> egress.routes().stream().map(EgressRoute::name).toList()).orElse(List.of());
  }

  private static Optional<AuditLines> accessLog(String target) {
    return switch (target) {
      case OperationsConfig.ACCESS_LOG_NONE -> Optional.empty();
      case "stdout" -> Optional.of(new AuditLines(System.out));
      case "stderr" -> Optional.of(new AuditLines(System.err));
      default -> {
        try {
          yield Optional.of(new AuditLines(new PrintStream(new FileOutputStream(target, /* append= */ true), false, StandardCharsets.US_ASCII)));
        } catch (IOException | SecurityException e) {
          throw new ConfigException("access-log", "cannot open " + LogText.printable(target) + " for appending: " + e.getMessage());
        }
      }
    };
  }

  /**
   * The admin listener's port, when it is on.
   *
   * @return the bound port, or -1
   */
  int adminPort() {
    return admin.map(AdminServer::port).orElse(-1);
  }

  /**
   * The port actually bound, which differs from the configured one when that was 0.
   *
   * @return the local port
   */
  public int port() {
    return server.port();
  }

  /** The egress listener's bound port, -1 without one; for tests. */
  int egressPort() {
    return ambassador.map(Ambassador::egressPort).orElse(-1);
  }

  /** The engine, for its reload counts (the admin endpoint) and tests. */
  Gatehouse gatehouse() {
    return gatehouse;
  }

  /**
   * What the TLS listener serves and how its certificate reloads went, for health and metrics endpoints.
   *
   * @return the status, or empty when the sidecar serves plain HTTP
   */
  public Optional<TlsStatus> tlsStatus() {
    return tls.map(ServerTls::status);
  }

  /**
   * Stops accepting connections, waits up to the shutdown timeout for in-flight requests, then stops. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (readiness != null) {
      readiness.startDraining();
    }
    try {
      server.stop(shutdownTimeout);
    } catch (RuntimeException e) {
      log.warn("stopping the server failed: {}", e.toString());
    } finally {
      ambassador.ifPresent(outbound -> outbound.stop(shutdownTimeout));
      admin.ifPresent(AdminServer::stop);
      gatehouse.close();
      tls.ifPresent(ServerTls::close);
      audit.close();
      accessLog.ifPresent(AuditLines::close);
      metrics.ifPresent(SidecarMetrics::close);
      stopped.countDown();
    }
  }

  /**
   * The whole drain, as on {@code SIGTERM}: {@code /readyz} answers 503 at once; requests are still accepted and
   * served (each response with {@code Connection: close}) for the drain delay; then {@link #close()}.
   */
  void drain() {
    if (closed.get()) {
      return;
    }
    if (readiness != null) {
      readiness.startDraining();
    }
    server.startDraining();
    long delay = operations.drainDelay().toMillis();
    if (delay > 0) {
      try {
        Thread.sleep(delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    close();
  }

  private void exit(String signal) {
    // A second signal while draining must not start a second shutdown, and the JVM's default would exit 143.
    if (!exiting.compareAndSet(false, true) || closed.get()) {
      return;
    }
    log.info(
        "{}: draining: not ready now, serving for {} ms more, then letting in-flight requests finish for up to {} s",
        signal,
        operations.drainDelay().toMillis(),
        shutdownTimeout.toSeconds());
    drain();
    log.info("drained; exiting");
    // The log's queue is written out by its shutdown hook (LogbackConfigurator); audit and access lines were by close.
    System.exit(0);
  }

  private void join() {
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A failure to bind is a configuration problem of {@code listen}; anything else is not the user's to fix. */
  private static RuntimeException startFailure(String key, InetSocketAddress listen, Exception failure) {
    String address = host(listen) + ":" + listen.getPort();
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      // Netty's native transport reports a failed bind as an IOException naming the errno, not a BindException.
      if (cause instanceof BindException || (cause instanceof IOException && String.valueOf(cause.getMessage()).startsWith("bind("))) {
        String message = String.valueOf(cause.getMessage());
        if (message.contains("in use")) {
          return new ConfigException(key, "port " + listen.getPort() + " is already in use", failure);
        }
        return new ConfigException(key, "cannot listen on " + address + ": " + message.replaceFirst("^bind\\(\\.\\.\\) failed: ", ""), failure);
      }
      if (cause instanceof UnresolvedAddressException) {
        return new ConfigException(key, "cannot resolve host " + listen.getHostString(), failure);
      }
    }
    return new IllegalStateException(failure.toString(), failure);
  }

  private static String host(InetSocketAddress address) {
    String host = address.getHostString();
    return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
  }


  private static String version() {
    Properties properties = new Properties();
    try (InputStream in = GatehouseSidecar.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      // fall through to "unknown": a version string is not worth failing over
    }
    return properties.getProperty("version", "unknown");
  }
}
