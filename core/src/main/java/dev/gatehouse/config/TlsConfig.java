package dev.gatehouse.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code tls}: the sidecar's server certificate, its TLS parameters and, with a client CA, mutual TLS.
 *
 * <p>The server credentials come either from PEM files ({@code certificate} + {@code private-key}) or from a PKCS#12
 * {@code keystore}, never both. Instances are built and checked by {@link ConfigLoader}; the files are read and
 * validated when the sidecar starts ({@link dev.gatehouse.tls.ServerTls#create}). {@link #toString()} never shows a
 * password.
 *
 * @param certificate the PEM certificate chain, leaf first; with {@code privateKey}
 * @param privateKey the PEM private key: PKCS#1, PKCS#8 or SEC1, optionally encrypted
 * @param privateKeyPassword the password of an encrypted private key
 * @param keystore a PKCS#12 keystore holding one key entry, instead of the PEM files
 * @param keystorePassword the keystore's password
 * @param clientCa PEM bundle of the CAs that client certificates must chain to; turns on mutual TLS
 * @param clientAuth whether a client certificate is requested or required
 * @param crl PEM file of certificate revocation lists for the client CAs, checked for every client certificate
 * @param profile the named profile the protocols and suites come from
 * @param protocols the protocol versions offered, most preferred first: the profile's, or the checked override
 * @param cipherSuites the cipher suites offered, most preferred first: the profile's, or the checked override
 * @param trustDomainCas the CA bundles of {@code authentication.client-certificate.trust-domains}, which the handshake
 *     trusts together (and which turn on mutual TLS) when {@code clientCa} is absent; empty without trust domains
 */
public record TlsConfig(
    Optional<Path> certificate,
    Optional<Path> privateKey,
    Optional<String> privateKeyPassword,
    Optional<Path> keystore,
    Optional<String> keystorePassword,
    Optional<Path> clientCa,
    ClientAuth clientAuth,
    Optional<Path> crl,
    TlsProfile profile,
    List<String> protocols,
    List<String> cipherSuites,
    List<Path> trustDomainCas) {

  /** Whether the server asks clients for a certificate. */
  public enum ClientAuth {
    /** No client certificate is requested. */
    NONE,
    /** A certificate is requested; a client without one is anonymous, one with an untrusted one is refused. */
    WANT,
    /** A trusted certificate is required to complete the handshake. */
    NEED;

    /**
     * The configuration name.
     *
     * @return {@code none}, {@code want} or {@code need}
     */
    public String configName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * Checks combinations.
   *
   * @throws IllegalArgumentException if neither or both credential sources are given, or client authentication and
   *     the client CA disagree
   */
  public TlsConfig {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(privateKeyPassword, "privateKeyPassword");
    Objects.requireNonNull(keystore, "keystore");
    Objects.requireNonNull(keystorePassword, "keystorePassword");
    Objects.requireNonNull(clientCa, "clientCa");
    Objects.requireNonNull(clientAuth, "clientAuth");
    Objects.requireNonNull(crl, "crl");
    Objects.requireNonNull(profile, "profile");
    protocols = List.copyOf(protocols);
    cipherSuites = List.copyOf(cipherSuites);
    trustDomainCas = List.copyOf(trustDomainCas);
    boolean pem = certificate.isPresent() || privateKey.isPresent();
    if (pem && keystore.isPresent()) {
      throw new ConfigException("keystore", "give either certificate and private-key, or keystore, not both");
    }
    if (!pem && keystore.isEmpty()) {
      throw new ConfigException("", "give certificate and private-key (PEM), or keystore (PKCS#12)");
    }
    if (pem && (certificate.isEmpty() || privateKey.isEmpty())) {
      throw new ConfigException(certificate.isEmpty() ? "certificate" : "private-key", "certificate and private-key go together");
    }
    if (clientAuth != ClientAuth.NONE && clientCa.isEmpty() && trustDomainCas.isEmpty()) {
      throw new ConfigException("client-auth", clientAuth.configName() + " needs client-ca or authentication.client-certificate.trust-domains");
    }
    if (clientAuth == ClientAuth.NONE && (clientCa.isPresent() || crl.isPresent())) {
      throw new ConfigException("client-auth", "none, but client-ca or crl is set; they need client-auth want or need");
    }
    if (protocols.isEmpty() || cipherSuites.isEmpty()) {
      throw new ConfigException("protocols", "protocols and cipher-suites must not be empty");
    }
  }

  /**
   * The CA bundles the handshake trusts: {@code clientCa} when given, else every trust domain's.
   *
   * @return the files; empty without mutual TLS
   */
  public List<Path> clientCaFiles() {
    return clientCa.map(List::of).orElse(trustDomainCas);
  }

  /** Shows the configuration without passwords. */
  @Override
  public String toString() {
    return "TlsConfig[certificate=" + certificate.map(Path::toString).orElse("-")
        + ", privateKey=" + privateKey.map(Path::toString).orElse("-")
        + ", privateKeyPassword=" + (privateKeyPassword.isPresent() ? "(redacted)" : "-")
        + ", keystore=" + keystore.map(Path::toString).orElse("-")
        + ", keystorePassword=" + (keystorePassword.isPresent() ? "(redacted)" : "-")
        + ", clientCa=" + clientCa.map(Path::toString).orElse("-")
        + ", clientAuth=" + clientAuth.configName()
        + ", crl=" + crl.map(Path::toString).orElse("-")
        + ", profile=" + profile.configName()
        + ", protocols=" + protocols
        + ", cipherSuites=" + cipherSuites
        + ", trustDomainCas=" + trustDomainCas + "]";
  }
}
