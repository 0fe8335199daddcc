package dev.gatehouse.config;

import dev.gatehouse.tls.TlsProfile;
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
    Optional<Path> certificate = file(node, "certificate");
    Optional<Path> privateKey = file(node, "private-key");
    Optional<String> privateKeyPassword = password(node, "private-key-password");
    Optional<Path> keystore = file(node, "keystore");
    Optional<String> keystorePassword = password(node, "keystore-password");
    Optional<Path> clientCa = file(node, "client-ca");
    Optional<TlsConfig.ClientAuth> clientAuth = node.string("client-auth").map(value -> clientAuth(node, value));
    Optional<Path> crl = file(node, "crl");
    TlsProfile profile = node.string("profile").map(value -> profile(node, value)).orElse(TlsProfile.DEFAULT);
    Optional<List<String>> protocolOverride = node.commaSeparatedStrings("protocols");
    Optional<List<String>> suiteOverride = node.commaSeparatedStrings("cipher-suites");
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
    } catch (IllegalArgumentException e) {
      throw new ConfigException(node.path(), e.getMessage());
    }
  }

  private static Optional<Path> file(ConfigNode node, String key) {
    return node.string(key).map(value -> ConfigLoader.readableFile(node.keyPath(key), value));
  }

  /** {@code key} holds the password itself, {@code key-file} a file whose first line is the password. */
  private static Optional<String> password(ConfigNode node, String key) {
    // ConfigNode never puts a value into its messages, so the password stays out of errors.
    Optional<String> inline = node.string(key);
    Optional<Path> file = file(node, key + "-file");
    if (inline.isPresent() && file.isPresent()) {
      throw new ConfigException(node.keyPath(key), "give " + key + " or " + key + "-file, not both");
    }
    if (file.isEmpty()) {
      return inline;
    }
    try {
      String text = Files.readString(file.get(), StandardCharsets.UTF_8);
      int newline = text.indexOf('\n');
      String password = (newline < 0 ? text : text.substring(0, newline)).replace("\r", "");
      if (password.isEmpty()) {
        throw new ConfigException(node.keyPath(key + "-file"), "the file " + file.get() + " is empty");
      }
      return Optional.of(password);
    } catch (IOException e) {
      throw new ConfigException(node.keyPath(key + "-file"), "cannot read " + file.get() + ": " + e.getMessage());
    }
  }

  private static TlsConfig.ClientAuth clientAuth(ConfigNode node, String value) {
    return switch (value) {
      case "none" -> TlsConfig.ClientAuth.NONE;
      case "want" -> TlsConfig.ClientAuth.WANT;
      case "need" -> TlsConfig.ClientAuth.NEED;
      default -> throw new ConfigException(node.keyPath("client-auth"), "expected none, want or need, found " + value);
    };
  }

  private static TlsProfile profile(ConfigNode node, String value) {
    try {
      return TlsProfile.parse(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(node.keyPath("profile"), e.getMessage());
    }
  }
}
