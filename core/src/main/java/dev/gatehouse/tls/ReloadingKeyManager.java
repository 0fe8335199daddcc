package dev.gatehouse.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.jspecify.annotations.Nullable;

/**
 * A server key manager whose key and chain can be replaced while handshakes run.
 *
 * <p>Design: each loaded version is a JDK key manager over an in-memory keystore whose alias carries the version
 * number, held behind a volatile field. A handshake asks for an alias first and for the key and chain of that alias
 * afterwards; if a reload lands in between, the alias still names the previous version, which is kept for exactly that
 * reason, so a handshake never mixes the key of one version with the chain of another. Open connections are untouched:
 * their keys were agreed when they started.
 */
final class ReloadingKeyManager extends X509ExtendedKeyManager {

  private record Version(X509ExtendedKeyManager delegate, ServerCredentials credentials) {}

  private volatile Version current;
  private volatile @Nullable Version previous;
  private final boolean client;

  ReloadingKeyManager(ServerCredentials credentials, long generation) {
    this(credentials, generation, false);
  }

  /** With {@code client}, the key is offered to servers that ask for a client certificate (egress mTLS) too. */
  ReloadingKeyManager(ServerCredentials credentials, long generation, boolean client) {
    this.current = version(credentials, generation);
    this.client = client;
  }

  void update(ServerCredentials credentials, long generation) {
    Version next = version(credentials, generation);
    previous = current;
    current = next;
  }

  ServerCredentials credentials() {
    return current.credentials();
  }

  private static Version version(ServerCredentials credentials, long generation) {
    try {
      char[] password = "gatehouse".toCharArray();
      KeyStore keyStore = KeyStore.getInstance("PKCS12");
      keyStore.load(null, null);
      keyStore.setKeyEntry("gatehouse-" + generation, credentials.privateKey(), password, credentials.chain().toArray(X509Certificate[]::new));
      KeyManagerFactory factory = KeyManagerFactory.getInstance("NewSunX509");
      factory.init(keyStore, password);
      for (KeyManager manager : factory.getKeyManagers()) {
        if (manager instanceof X509ExtendedKeyManager extended) {
          return new Version(extended, credentials);
        }
      }
      throw new IllegalStateException("the JDK's key manager factory made no X509ExtendedKeyManager");
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalArgumentException("cannot use the key and certificate: " + e.getMessage(), e);
    }
  }

  @Override
  public @Nullable String chooseServerAlias(String keyType, Principal @Nullable [] issuers, @Nullable Socket socket) {
    return current.delegate().chooseServerAlias(keyType, issuers, socket);
  }

  @Override
  public @Nullable String chooseEngineServerAlias(String keyType, Principal @Nullable [] issuers, @Nullable SSLEngine engine) {
    return current.delegate().chooseEngineServerAlias(keyType, issuers, engine);
  }

  @Override
  public String @Nullable [] getServerAliases(String keyType, Principal @Nullable [] issuers) {
    return current.delegate().getServerAliases(keyType, issuers);
  }

  @Override
  public X509Certificate @Nullable [] getCertificateChain(String alias) {
    Version now = current;
    X509Certificate[] chain = now.delegate().getCertificateChain(alias);
    if (chain == null) {
      Version before = previous;
      chain = before == null ? null : before.delegate().getCertificateChain(alias);
    }
    return chain;
  }

  @Override
  public @Nullable PrivateKey getPrivateKey(String alias) {
    Version now = current;
    PrivateKey key = now.delegate().getPrivateKey(alias);
    if (key == null) {
      Version before = previous;
      key = before == null ? null : before.delegate().getPrivateKey(alias);
    }
    return key;
  }

  // A server's key manager never acts as a TLS client; an egress route's does.
  @Override
  public String @Nullable [] getClientAliases(String keyType, Principal @Nullable [] issuers) {
    return client ? current.delegate().getClientAliases(keyType, issuers) : null;
  }

  @Override
  public @Nullable String chooseClientAlias(String[] keyType, Principal @Nullable [] issuers, @Nullable Socket socket) {
    return client ? current.delegate().chooseClientAlias(keyType, issuers, socket) : null;
  }

  @Override
  public @Nullable String chooseEngineClientAlias(String[] keyType, Principal @Nullable [] issuers, @Nullable SSLEngine engine) {
    return client ? current.delegate().chooseEngineClientAlias(keyType, issuers, engine) : null;
  }

  @Override
  public String toString() {
    return "ReloadingKeyManager[" + Objects.toString(current.credentials().leaf().getSubjectX500Principal()) + "]";
  }
}
