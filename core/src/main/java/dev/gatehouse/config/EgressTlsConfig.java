package dev.gatehouse.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code egress.routes[].tls}: the sidecar's TLS towards one remote.
 *
 * @param ca the PEM bundle the remote's certificate must chain to; the JDK's trust store when empty
 * @param serverName the name sent as SNI and verified against the remote's certificate; the upstream's host when empty
 * @param peerSpiffeIds SPIFFE IDs of which the remote's certificate must carry one; not checked when empty
 * @param clientCertificate the workload's PEM certificate chain for mTLS, reloaded when it changes
 * @param clientKey its PEM private key
 */
public record EgressTlsConfig(Optional<Path> ca, Optional<String> serverName, List<String> peerSpiffeIds, Optional<Path> clientCertificate, Optional<Path> clientKey) {

  /**
   * Checks combinations.
   *
   * @throws ConfigException if only one of the client certificate and key is set, or a SPIFFE ID is not one
   */
  public EgressTlsConfig {
    Objects.requireNonNull(ca, "ca");
    Objects.requireNonNull(serverName, "serverName");
    peerSpiffeIds = List.copyOf(peerSpiffeIds);
    Objects.requireNonNull(clientCertificate, "clientCertificate");
    Objects.requireNonNull(clientKey, "clientKey");
    if (clientCertificate.isPresent() != clientKey.isPresent()) {
      throw new ConfigException(clientCertificate.isPresent() ? "client-key" : "client-certificate", "set client-certificate and client-key together");
    }
    for (String id : peerSpiffeIds) {
      // The full check (SPIFFE's rules) is the sidecar's, with core's SpiffeId, when it builds the route.
      if (!id.startsWith("spiffe://")) {
        throw new ConfigException("peer-spiffe-ids", "not a SPIFFE ID: " + id);
      }
    }
  }
}
