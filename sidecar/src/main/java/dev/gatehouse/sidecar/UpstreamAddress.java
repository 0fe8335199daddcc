package dev.gatehouse.sidecar;

import io.netty.channel.unix.DomainSocketAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.Locale;

/**
 * Where the upstream is: a host and port, or a Unix domain socket ({@code unix:/run/app.sock}).
 *
 * @param address what to connect to
 * @param unix whether it is a Unix domain socket
 * @param tls whether to speak TLS to it ({@code https://}), verifying its certificate and name against the JDK's trust
 *     store, as the Jetty client did
 * @param host the name to verify and send as SNI
 */
record UpstreamAddress(SocketAddress address, boolean unix, boolean tls, String host) {

  static UpstreamAddress of(URI upstream) {
    String scheme = upstream.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals("unix")) {
      return new UpstreamAddress(new DomainSocketAddress(upstream.getSchemeSpecificPart()), true, false, "localhost");
    }
    int port = upstream.getPort() >= 0 ? upstream.getPort() : scheme.equals("https") ? 443 : 80;
    String host = upstream.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    // Resolved once, at start: a sidecar's upstream is a loopback literal or localhost.
    return new UpstreamAddress(new InetSocketAddress(host, port), false, scheme.equals("https"), host);
  }
}
