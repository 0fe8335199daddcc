package dev.gatehouse.examples.servlet;

import dev.gatehouse.Identity;
import dev.gatehouse.servlet.GatehouseFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A plain servlet application on embedded Jetty that greets whoever Gatehouse let in, on 127.0.0.1:8081, and says at
 * {@code GET /whoami} whom the servlet API names: {@code {"user": ..., "authType": ..., "roles": [...], "peer": ...}},
 * {@code null} where there is none, so that a check from outside can see what the application believes.
 *
 * <p>{@link GatehouseFilter} is declared as it would be in {@code web.xml}: by class name, with the init-parameter
 * {@code config} naming a Gatehouse YAML file. The demo file checks HTTP Basic credentials against {@code
 * examples/demo/htpasswd} (admin / admin).
 *
 * <p>Usage, from the repository root (the YAML file's relative paths start there):
 *
 * <pre>
 * mvn -B -q -pl examples/servlet-app -am package -DskipTests
 * java -jar examples/servlet-app/target/servlet-app.jar [config.yaml] [HOST:PORT]
 * curl -u admin:admin http://127.0.0.1:8081/
 * curl -u admin:admin http://127.0.0.1:8081/whoami
 * </pre>
 */
public final class ServletApp {

  private static final String DEFAULT_CONFIG = "examples/demo/gatehouse.yaml";
  private static final String DEFAULT_LISTEN = "127.0.0.1:8081";

  private ServletApp() {}

  public static void main(String[] args) throws Exception {
    String config = args.length > 0 ? args[0] : DEFAULT_CONFIG;
    String listen = args.length > 1 ? args[1] : DEFAULT_LISTEN;
    int colon = listen.lastIndexOf(':');
    int port;
    try {
      port = Integer.parseInt(listen.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (colon < 0 || port < 0 || port > 65535) {
      System.err.println("servlet app: expected HOST:PORT, such as 127.0.0.1:8081, found " + listen);
      System.exit(2);
      return;
    }
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(listen.substring(0, colon).replace("[", "").replace("]", ""));
    connector.setPort(port);
    server.addConnector(connector);

    ServletContextHandler context = new ServletContextHandler("/");
    FilterHolder gatehouse = new FilterHolder(GatehouseFilter.class);
    gatehouse.setName(GatehouseFilter.FILTER_NAME);
    gatehouse.setInitParameter(GatehouseFilter.CONFIG_INIT_PARAMETER, config);
    gatehouse.setAsyncSupported(true);
    context.addFilter(gatehouse, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR));
    context.addServlet(HelloServlet.class, "/*");
    context.addServlet(WhoAmIServlet.class, "/whoami");
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
    System.out.println("servlet app listening on http://" + listen.substring(0, colon) + ":" + connector.getLocalPort() + "/ (config " + config + ")");
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

  /**
   * {@code {"user", "authType", "roles", "peer"}} from the servlet API: {@code getRemoteUser()}, {@code getAuthType()},
   * the groups Gatehouse names in {@code X-Forwarded-Groups} that {@code isUserInRole} confirms (the API has no list
   * of roles), and the {@code dev.gatehouse.peer} attribute.
   */
  public static final class WhoAmIServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
      List<String> roles = new ArrayList<>();
      String groups = request.getHeader("X-Forwarded-Groups");
      if (groups != null) {
        for (String group : groups.split(",")) {
          if (request.isUserInRole(group.strip())) {
            roles.add(group.strip());
          }
        }
      }
      Object peer = request.getAttribute(GatehouseFilter.PEER_ATTRIBUTE);
      StringBuilder json = new StringBuilder("{\"user\": ");
      string(json, request.getRemoteUser());
      json.append(", \"authType\": ");
      string(json, request.getAuthType());
      json.append(", \"roles\": [");
      for (int i = 0; i < roles.size(); i++) {
        json.append(i == 0 ? "" : ", ");
        string(json, roles.get(i));
      }
      json.append("], \"peer\": ");
      string(json, peer instanceof Identity identity ? identity.name() : null);
      json.append("}\n");
      response.setContentType("application/json");
      response.getOutputStream().write(json.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void string(StringBuilder out, String value) {
      if (value == null) {
        out.append("null");
        return;
      }
      out.append('"');
      for (char c : value.toCharArray()) {
        if (c == '"' || c == '\\') {
          out.append('\\').append(c);
        } else if (c < 0x20) {
          out.append(String.format("\\u%04x", (int) c));
        } else {
          out.append(c);
        }
      }
      out.append('"');
    }
  }
}
