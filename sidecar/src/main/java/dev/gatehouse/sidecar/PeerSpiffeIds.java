package dev.gatehouse.sidecar;

import dev.gatehouse.authn.x509.SpiffeId;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The remote's identity on an egress route with {@code peer-spiffe-ids}: the chain must first pass the route's trust
 * (CA and host name, by the delegate), then its leaf must carry exactly one URI SAN, a SPIFFE ID (core's {@link
 * SpiffeId} parses it, as the X.509-SVID specification asks), that is one of the configured ones. Checked inside the
 * handshake, so a refused remote never receives a byte of the request.
 */
final class PeerSpiffeIds extends X509ExtendedTrustManager {

  /** The remote's certificate is trusted but names another workload; the egress answers 502 saying so. */
  static final class RefusedPeerException extends CertificateException {
    private static final long serialVersionUID = 1L;

    RefusedPeerException(String message) {
      super(message);
    }
  }

  private final X509ExtendedTrustManager delegate;
  private final Set<String> allowed;

  PeerSpiffeIds(X509ExtendedTrustManager delegate, Set<String> allowed) {
    this.delegate = delegate;
    this.allowed = Set.copyOf(allowed);
  }

  /** Parses and checks each configured ID by SPIFFE's rules, naming the one that breaks them. */
  static Set<String> parse(List<String> ids) {
    List<String> parsed = new ArrayList<>();
    for (String id : ids) {
      try {
        parsed.add(SpiffeId.parse(id).toString());
      } catch (IllegalArgumentException e) {
        throw new dev.gatehouse.config.ConfigException("tls.peer-spiffe-ids", id + " " + e.getMessage());
      }
    }
    return Set.copyOf(parsed);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    delegate.checkServerTrusted(chain, authType, engine);
    check(chain[0]);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    delegate.checkServerTrusted(chain, authType, socket);
    check(chain[0]);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    delegate.checkServerTrusted(chain, authType);
    check(chain[0]);
  }

  private void check(X509Certificate leaf) throws CertificateException {
    Optional<SpiffeId> id;
    try {
      id = SpiffeId.fromCertificate(leaf);
    } catch (IllegalArgumentException e) {
      throw new RefusedPeerException("the remote's certificate " + e.getMessage());
    }
    if (id.isEmpty()) {
      throw new RefusedPeerException("the remote's certificate carries no SPIFFE ID");
    }
    if (!allowed.contains(id.get().toString())) {
      throw new RefusedPeerException("the remote's SPIFFE ID " + id.get() + " is not one of peer-spiffe-ids");
    }
  }

  // The sidecar is the client here; a client chain is never checked with this trust manager.
  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    throw new CertificateException("not a server's trust manager");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    throw new CertificateException("not a server's trust manager");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("not a server's trust manager");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return delegate.getAcceptedIssuers();
  }
}
