package dev.gatehouse.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code egress} section (sidecar only): where the application calls out through the sidecar, and the routes it may
 * call. A request that no route matches is never sent anywhere.
 *
 * @param listen a loopback address and port, or a Unix domain socket: never an address other hosts can reach, since
 *     whoever reaches it calls the remotes with this workload's credentials
 * @param routes the routes, names unique
 */
public record EgressConfig(SocketAddress listen, List<EgressRoute> routes) {

  /**
   * Checks the listen address and the route names.
   *
   * @throws ConfigException if the address is not loopback or a Unix socket, or two routes share a name
   */
  public EgressConfig {
    Objects.requireNonNull(listen, "listen");
    routes = List.copyOf(routes);
    if (listen instanceof InetSocketAddress inet && (inet.getAddress() == null || !inet.getAddress().isLoopbackAddress())) {
      throw new ConfigException("listen", "must be a loopback address such as 127.0.0.1:15001, or unix:/path; found " + inet.getHostString());
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < routes.size(); i++) {
      if (!names.add(routes.get(i).name())) {
        throw new ConfigException("routes[" + i + "].name", "another route is named " + routes.get(i).name());
      }
    }
  }

  /**
   * Parses {@code egress.listen}: {@code unix:/absolute/path}, or a loopback IP literal (or {@code localhost}) and port.
   *
   * @param key the key, for messages
   * @param value the configured text
   * @return the address, resolved
   * @throws ConfigException if it is anything else
   */
  public static SocketAddress parseListen(String key, String value) {
    Objects.requireNonNull(value, "value");
    if (value.startsWith("unix:")) {
      String path = value.substring("unix:".length());
      if (!path.startsWith("/")) {
        throw new ConfigException(key, "a unix socket needs an absolute path, as in unix:/run/gatehouse/egress.sock");
      }
      return UnixDomainSocketAddress.of(Path.of(path));
    }
    InetSocketAddress unresolved;
    try {
      unresolved = ConfigType.hostPort(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, e.getMessage());
    }
    String host = unresolved.getHostString();
    if (!Upstreams.isLocal(java.net.URI.create("http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":1"))) {
      throw new ConfigException(key, "must be a loopback address such as 127.0.0.1:15001, or unix:/path; found " + value);
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(host), unresolved.getPort());
    } catch (UnknownHostException e) {
      throw new ConfigException(key, "cannot resolve " + host);
    }
  }
}
