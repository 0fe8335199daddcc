package dev.gatehouse.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Binds the {@code tls} section; kept apart from {@link ConfigLoader} as it has rules of its own. */
final class TlsConfigBinder {

  private TlsConfigBinder() {}

  /**
   * @param trustDomainCas the CA bundles of {@code authentication.client-certificate.trust-domains}, trusted (and mutual
   *     TLS turned on) when {@code client-ca} is absent
   */
  static TlsConfig bind(ConfigNode node, List<Path> trustDomainCas) {
    Optional<Path> certificate = node.get(ConfigSchema.TLS_CERTIFICATE);
    Optional<Path> privateKey = node.get(ConfigSchema.TLS_PRIVATE_KEY);
    Optional<String> privateKeyPassword = password(node, ConfigSchema.TLS_PRIVATE_KEY_PASSWORD, ConfigSchema.TLS_PRIVATE_KEY_PASSWORD_FILE);
    Optional<Path> keystore = node.get(ConfigSchema.TLS_KEYSTORE);
    Optional<String> keystorePassword = password(node, ConfigSchema.TLS_KEYSTORE_PASSWORD, ConfigSchema.TLS_KEYSTORE_PASSWORD_FILE);
    Optional<Path> clientCa = node.get(ConfigSchema.TLS_CLIENT_CA);
    Optional<TlsConfig.ClientAuth> clientAuth = node.get(ConfigSchema.TLS_CLIENT_AUTH);
    Optional<Path> crl = node.get(ConfigSchema.TLS_CRL);
    TlsProfile profile = node.get(ConfigSchema.TLS_PROFILE, TlsProfile.DEFAULT);
    Optional<List<String>> protocolOverride = node.get(ConfigSchema.TLS_PROTOCOLS);
    Optional<List<String>> suiteOverride = node.get(ConfigSchema.TLS_CIPHER_SUITES);
    node.rejectUnknownKeys();

    List<String> protocols;
    try {
      protocols = protocolOverride.map(TlsProfile::checkProtocols).orElse(profile.protocols());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(node.keyPath("protocols"), e.getMessage());
    }
    List<String> cipherSuites;
    try {
      cipherSuites =
          suiteOverride.isPresent()
              ? TlsProfile.checkCipherSuites(suiteOverride.get(), protocols)
              : TlsProfile.checkCipherSuites(profile.cipherSuites(), protocols);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(node.keyPath(suiteOverride.isPresent() ? "cipher-suites" : "protocols"), e.getMessage());
    }
    if (privateKeyPassword.isPresent() && privateKey.isEmpty()) {
      throw new ConfigException(node.keyPath("private-key-password"), "given without private-key");
    }
    // A client CA alone means mutual TLS is wanted: DESIGN's "a client CA turns on mTLS".
    boolean clientCas = clientCa.isPresent() || !trustDomainCas.isEmpty();
    TlsConfig.ClientAuth auth = clientAuth.orElse(clientCas ? TlsConfig.ClientAuth.NEED : TlsConfig.ClientAuth.NONE);
    try {
      return new TlsConfig(
          certificate, privateKey, privateKeyPassword, keystore, keystorePassword, clientCa, auth, crl, profile, protocols, cipherSuites, trustDomainCas);
    } catch (ConfigException e) {
      throw e.within(node.path());
    }
  }

  /** The password itself, or the first line of a file holding it. */
  private static Optional<String> password(ConfigNode node, ConfigKey<String> inlineKey, ConfigKey<Path> fileKey) {
    // A secret key's value never enters an error message (ConfigNode sees to that).
    Optional<String> inline = node.get(inlineKey);
    Optional<Path> file = node.get(fileKey);
    if (inline.isPresent() && file.isPresent()) {
      throw new ConfigException(node.keyPath(inlineKey.name()), "give " + inlineKey.name() + " or " + fileKey.name() + ", not both");
    }
    if (file.isEmpty()) {
      return inline;
    }
    try {
      String text = Files.readString(file.get(), StandardCharsets.UTF_8);
      int newline = text.indexOf('\n');
      String password = (newline < 0 ? text : text.substring(0, newline)).replace("\r", "");
      if (password.isEmpty()) {
        throw new ConfigException(node.keyPath(fileKey.name()), "the file " + file.get() + " is empty");
      }
      return Optional.of(password);
    } catch (IOException e) {
      throw new ConfigException(node.keyPath(fileKey.name()), "cannot read " + file.get() + ": " + e.getMessage());
    }
  }
}
