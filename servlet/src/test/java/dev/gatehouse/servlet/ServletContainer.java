package dev.gatehouse.servlet;

import jakarta.servlet.ServletContainerInitializer;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.ErrorPage;
import org.eclipse.jetty.ee10.servlet.ErrorPageErrorHandler;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A real embedded servlet container on 127.0.0.1 and a free port, with one web application at the root whose filters
 * and servlets an initializer adds while the application starts, as a {@code ServletContainerInitializer} does in a
 * deployed war. Both containers send a 404 to the error page {@code /echo}.
 */
interface ServletContainer extends AutoCloseable {

  /** The error page both containers use for 404. */
  String NOT_FOUND_PAGE = "/echo";

  /**
   * Starts the container.
   *
   * @return the application's base URI, ending in {@code /}
   * @throws StartupFailure if the application did not start, carrying what made it fail
   */
  URI start(ServletContainerInitializer initializer) throws Exception;

  @Override
  void close() throws Exception;

  static ServletContainer named(String name, Path workDirectory) {
    return switch (name) {
      case "jetty" -> new Jetty();
      case "tomcat" -> new TomcatContainer(workDirectory);
      default -> throw new IllegalArgumentException(name);
    };
  }

  /** The web application failed to start; {@link #getCause()} is the exception the container reported. */
  final class StartupFailure extends Exception {
    private static final long serialVersionUID = 1L;

    StartupFailure(Throwable cause) {
      super("the web application did not start: " + cause, cause);
    }
  }

  /** Jetty 12, EE 10. */
  final class Jetty implements ServletContainer {
    private final Server server = new Server();

    @Override
    public URI start(ServletContainerInitializer initializer) throws Exception {
      ServerConnector connector = new ServerConnector(server);
      connector.setHost("127.0.0.1");
      connector.setPort(0);
      server.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler("/");
      context.addServletContainerInitializer(initializer);
      ErrorPageErrorHandler errorPages = new ErrorPageErrorHandler();
      errorPages.addErrorPage(404, NOT_FOUND_PAGE);
      context.setErrorHandler(errorPages);
      server.setHandler(context);
      try {
        server.start();
      } catch (Exception e) {
        throw new StartupFailure(e);
      }
      return URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/");
    }

    @Override
    public void close() throws Exception {
      server.stop();
    }
  }

  /** Tomcat 11, embedded. */
  final class TomcatContainer implements ServletContainer {
    private final Tomcat tomcat = new Tomcat();

    TomcatContainer(Path workDirectory) {
      tomcat.setBaseDir(workDirectory.toString());
    }

    @Override
    public URI start(ServletContainerInitializer initializer) throws Exception {
      Connector connector = new Connector();
      connector.setPort(0);
      connector.setProperty("address", "127.0.0.1");
      tomcat.setConnector(connector);
      Context context = tomcat.addContext("", null);
      context.addServletContainerInitializer(initializer, null);
      ErrorPage notFound = new ErrorPage();
      notFound.setErrorCode(404);
      notFound.setLocation(NOT_FOUND_PAGE);
      context.addErrorPage(notFound);
      // Tomcat logs a filter that fails to start and takes the application out of service, without throwing.
      ThrownRecorder thrown = new ThrownRecorder();
      Logger catalina = Logger.getLogger("org.apache.catalina.core");
      catalina.addHandler(thrown);
      try {
        tomcat.start();
      } finally {
        catalina.removeHandler(thrown);
      }
      if (context.getState() != LifecycleState.STARTED) {
        throw new StartupFailure(thrown.first().orElseGet(() -> new IllegalStateException("context " + context.getState())));
      }
      return URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/");
    }

    @Override
    public void close() throws Exception {
      tomcat.stop();
      tomcat.destroy();
    }
  }

  /** Keeps the exceptions logged through {@code java.util.logging}. */
  final class ThrownRecorder extends Handler {
    private final List<Throwable> thrown = new ArrayList<>();

    @Override
    public synchronized void publish(LogRecord record) {
      if (record.getThrown() != null) {
        thrown.add(record.getThrown());
      }
    }

    synchronized java.util.Optional<Throwable> first() {
      return thrown.stream().findFirst();
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }
}
