package dev.gatehouse.examples.servlet;

import dev.gatehouse.servlet.GatehouseFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A plain servlet application on embedded Jetty that greets whoever Gatehouse let in, on 127.0.0.1:8081.
 *
 * <p>{@link GatehouseFilter} is declared as it would be in {@code web.xml}: by class name, with the init-parameter
 * {@code config} naming a Gatehouse YAML file. The demo file checks HTTP Basic credentials against {@code
 * examples/demo/htpasswd} (admin / admin).
 *
 * <p>Usage, from the repository root (the YAML file's relative paths start there):
 *
 * <pre>
 * mvn -B -q -pl examples/servlet-app -am package -DskipTests
 * java -jar examples/servlet-app/target/servlet-app.jar [config.yaml]
 * curl -u admin:admin http://127.0.0.1:8081/
 * </pre>
 */
public final class ServletApp {

  private static final String DEFAULT_CONFIG = "examples/demo/gatehouse.yaml";

  private ServletApp() {}

  public static void main(String[] args) throws Exception {
    String config = args.length > 0 ? args[0] : DEFAULT_CONFIG;
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(8081);
    server.addConnector(connector);

    ServletContextHandler context = new ServletContextHandler("/");
    FilterHolder gatehouse = new FilterHolder(GatehouseFilter.class);
    gatehouse.setName(GatehouseFilter.FILTER_NAME);
    gatehouse.setInitParameter(GatehouseFilter.CONFIG_INIT_PARAMETER, config);
    gatehouse.setAsyncSupported(true);
    context.addFilter(gatehouse, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR));
    context.addServlet(HelloServlet.class, "/*");
    server.setHandler(context);
    server.setStopAtShutdown(true);

    try {
      server.start();
    } catch (Exception e) {
      // A configuration Gatehouse refuses stops the app; say why in one line rather than serve unprotected.
      server.stop();
      System.err.println("servlet app did not start: " + servletExceptionMessage(e));
      System.exit(1);
    }
    System.out.println("servlet app listening on http://127.0.0.1:" + connector.getLocalPort() + "/ (config " + config + ")");
    server.join();
  }

  private static String servletExceptionMessage(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ServletException) {
        return t.getMessage();
      }
    }
    return String.valueOf(failure);
  }

  /** Answers {@code Hello, <user>!}: the user is the one Gatehouse authenticated. */
  public static final class HelloServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
      response.setContentType("text/plain; charset=UTF-8");
      response.getOutputStream().write(("Hello, " + request.getRemoteUser() + "!\n").getBytes(StandardCharsets.UTF_8));
    }
  }
}
