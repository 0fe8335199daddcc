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
 * <p>A certificate without a SPIFFE ID is named by its subject common name, as {@code cn:<CN>}, only when {@code
 * commonNames} allows it. {@link ConfigLoader} decides the default from the rules: common names are refused when any
 * rule names a {@code spiffe://} peer or a namespace (the deployment uses SPIFFE, and a certificate without a SPIFFE ID
 * is a mistake or an attack) and always with {@code trust-domains}; otherwise they are allowed.
 *
 * @param trustDomains SPIFFE trust domain (such as {@code cluster.local}) to the PEM bundle of the CAs that may issue
 *     its identities; empty when every trusted CA may issue any identity
 * @param commonNames whether a certificate without a SPIFFE ID may name the peer by its subject CN; never with trust
 *     domains
 */
public record ClientCertificateConfig(Map<String, Path> trustDomains, boolean commonNames) {

  /**
   * Copies the map.
   *
   * @throws ConfigException if common names are allowed together with trust domains
   */
  public ClientCertificateConfig {
    Objects.requireNonNull(trustDomains, "trustDomains");
    trustDomains = Map.copyOf(trustDomains);
    if (commonNames && !trustDomains.isEmpty()) {
      throw new ConfigException("allow-common-names", "cannot be true with trust-domains, which require a SPIFFE ID in every certificate");
    }
  }

  /**
   * Trust domains, which refuse common names.
   *
   * @param trustDomains see {@link #trustDomains()}
   */
  public ClientCertificateConfig(Map<String, Path> trustDomains) {
    this(trustDomains, false);
  }

  /** The section without trust domains, allowing common names: {@code client-certificate: {}} with no SPIFFE rule. */
  public ClientCertificateConfig() {
    this(Map.of(), true);
  }
}
