package dev.gatehouse.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * {@code authentication.client-certificate}: the {@linkplain dev.gatehouse.Identity.Kind#PEER peer} is named by the
 * verified TLS client certificate, by its SPIFFE ID when it has one, otherwise by its subject common name.
 *
 * <p>Without {@code trust-domains} ({@code client-certificate: {}}), which CAs are trusted is the TLS layer's
 * business alone: {@code tls.client-ca} in the sidecar, the container's trust store for the filter and Spring Boot.
 * With {@code trust-domains}, every certificate must carry a SPIFFE ID, and its chain must end at a CA of the trust
 * domain that ID names; the TLS layer must trust every domain's CAs (the sidecar does so by itself when {@code
 * tls.client-ca} is absent).
 *
 * @param trustDomains SPIFFE trust domain (such as {@code cluster.local}) to the PEM bundle of the CAs that may issue
 *     its identities; empty when every trusted CA may issue any identity
 */
public record ClientCertificateConfig(Map<String, Path> trustDomains) {

  /** Copies the map. */
  public ClientCertificateConfig {
    Objects.requireNonNull(trustDomains, "trustDomains");
    trustDomains = Map.copyOf(trustDomains);
  }

  /** The section without trust domains: {@code client-certificate: {}}. */
  public ClientCertificateConfig() {
    this(Map.of());
  }
}
