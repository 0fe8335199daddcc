package dev.gatehouse.config;

import dev.gatehouse.internal.LogText;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Builds a validated {@link GatehouseConfig} from a YAML file, a map tree, or both plus dotted-key overrides.
 *
 * <p>Every route ends in the same binder, so the sidecar (file + flags + environment), the servlet filter (file) and
 * Spring Boot (a tree bound from {@code gatehouse.*}) reject a bad value with the same message. Unknown keys are
 * rejected, never ignored: a misspelt {@code htpassword:} must not leave a proxy open. Relative file paths resolve
 * against the working directory, as in ghostunnel and oauth2-proxy.
 *
 * <p>This class is stateless and thread-safe.
 */
public final class ConfigLoader {

  private static final int MAX_DOCUMENT_CODE_POINTS = 1 << 20;

  private ConfigLoader() {}

  /**
   * Loads and validates a YAML configuration file.
   *
   * @param file the YAML file
   * @return the configuration
   * @throws ConfigException if the file cannot be read, is not valid YAML, or holds an invalid configuration
   */
  public static GatehouseConfig load(Path file) {
    return load(Optional.of(file), Map.of());
  }

  /**
   * Loads an optional YAML file and applies overrides on top of it.
   *
   * @param file the YAML file, if any
   * @param overrides values by dotted key path, such as {@code upstream} or {@code authentication.basic.htpasswd};
   *     they replace what the file says
   * @return the configuration
   * @throws ConfigException if anything is invalid
   */
  public static GatehouseConfig load(Optional<Path> file, Map<String, String> overrides) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(overrides, "overrides");
    Map<String, Object> tree = file.isPresent() ? readYaml(file.get()) : new LinkedHashMap<>();
    overrides.forEach((key, value) -> put(tree, key, value));
    return fromTree(tree);
  }

  /**
   * Binds and validates a configuration tree: nested maps with the YAML key names, whose leaves are strings, numbers
   * or booleans.
   *
   * @param tree the tree
   * @return the configuration
   * @throws ConfigException if anything is invalid
   */
  public static GatehouseConfig fromTree(Map<String, ?> tree) {
    Objects.requireNonNull(tree, "tree");
    ConfigNode root = new ConfigNode("", tree);
    Optional<InetSocketAddress> listen = root.get(ConfigSchema.LISTEN);
    Optional<URI> upstream = root.get(ConfigSchema.UPSTREAM);
    boolean allowRemoteUpstream = root.get(ConfigSchema.ALLOW_REMOTE_UPSTREAM, false);
    UpstreamProtocol upstreamProtocol = root.get(ConfigSchema.UPSTREAM_PROTOCOL, UpstreamProtocol.HTTP1);
    root.rejectUnsupported(ConfigSchema.ADMIN, "the admin endpoint");
    AuthenticationConfig authentication =
        root.section(ConfigSchema.AUTHENTICATION)
            .map(ConfigLoader::authentication)
            .orElseThrow(() -> new ConfigException("authentication", "missing; configure at least one method, such as basic"));
    // The sidecar's handshake trusts every trust domain's CAs when tls.client-ca does not say otherwise.
    List<Path> trustDomainCas =
        authentication.clientCertificate().map(cert -> List.copyOf(cert.trustDomains().values())).orElse(List.of());
    Optional<TlsConfig> tls = root.section(ConfigSchema.TLS).map(node -> TlsConfigBinder.bind(node, trustDomainCas));
    AuthorizationConfig authorization = root.section(ConfigSchema.AUTHORIZATION).map(AuthorizationBinder::bind).orElse(AuthorizationConfig.NONE);
    Optional<AssertionConfig> assertion = root.section(ConfigSchema.ASSERTION).map(AssertionBinder::signer);
    Optional<EgressConfig> egress = root.section(ConfigSchema.EGRESS).map(EgressBinder::egress);
    Optional<CredentialsConfig> credentials = root.section(ConfigSchema.CREDENTIALS).map(node -> EgressBinder.credentials(node, egress));
    root.rejectUnknownKeys();
    if (!authentication.any()) {
      throw new ConfigException("authentication", "configure at least one method, such as basic");
    }
    // The sidecar's assertion names the peer its client certificate proved, so peer rules hold behind it too.
    boolean peers = authentication.clientCertificate().isPresent() || authentication.sidecarAssertion().isPresent();
    authorization.checkPeerRules(peers, authentication.jwt().stream().map(JwtIssuerConfig::issuer).toList());
    try {
      return new GatehouseConfig(
          listen, upstream, allowRemoteUpstream, authentication, authorization, tls, upstreamProtocol, assertion, egress, credentials);
    } catch (ConfigException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new ConfigException("upstream", e.getMessage());
    }
  }

  private static AuthenticationConfig authentication(ConfigNode node) {
    Optional<BasicConfig> basic = node.section(ConfigSchema.BASIC).map(ConfigLoader::basic);
    List<JwtIssuerConfig> jwt = JwtIssuerBinder.bindAll(node.sections(ConfigSchema.JWT));
    Optional<ClientCertificateConfig> clientCertificate = node.section(ConfigSchema.CLIENT_CERTIFICATE).flatMap(ConfigLoader::clientCertificate);
    Optional<SidecarAssertionConfig> sidecarAssertion = node.section(ConfigSchema.SIDECAR_ASSERTION).map(AssertionBinder::verifier);
    node.rejectUnknownKeys();
    try {
      return new AuthenticationConfig(basic, jwt, clientCertificate, sidecarAssertion);
    } catch (ConfigException e) {
      throw e.within(node.path());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(node.keyPath("jwt"), e.getMessage());
    }
  }

  /** {@code client-certificate: {}} turns it on; {@code enabled: false} lets a profile or flag turn it off again. */
  private static Optional<ClientCertificateConfig> clientCertificate(ConfigNode node) {
    boolean enabled = node.get(ConfigSchema.CLIENT_CERTIFICATE_ENABLED, true);
    Map<String, Path> trustDomains = trustDomains(node);
    node.rejectUnknownKeys();
    return enabled ? Optional.of(new ClientCertificateConfig(trustDomains)) : Optional.empty();
  }

  /**
   * {@code trust-domains: {cluster.local: ca.pem}}. A name is checked by SPIFFE's trust-domain rule (lower-case
   * letters, digits, {@code .}, {@code -}, {@code _}) so that a typo such as {@code Cluster.local} fails at start
   * instead of refusing every certificate.
   */
  private static Map<String, Path> trustDomains(ConfigNode node) {
    Map<String, Path> trustDomains = new LinkedHashMap<>();
    node.get(ConfigSchema.CLIENT_CERTIFICATE_TRUST_DOMAINS, Map.of())
        .forEach(
            (domain, file) -> {
              String key = node.keyPath("trust-domains") + "." + domain;
              if (domain.isEmpty() || !domain.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_')) {
                throw new ConfigException(key, "not a SPIFFE trust domain (lower-case letters, digits, '.', '-' and '_'), found " + domain);
              }
              try {
                trustDomains.put(domain, ConfigType.FILE.parse(file));
              } catch (IllegalArgumentException e) {
                throw new ConfigException(key, e.getMessage());
              }
            });
    return trustDomains;
  }

  private static BasicConfig basic(ConfigNode node) {
    String realm = node.get(ConfigSchema.BASIC_REALM, BasicConfig.DEFAULT_REALM);
    Path htpasswd = node.require(ConfigSchema.BASIC_HTPASSWD, "the htpasswd file to check passwords against");
    node.rejectUnknownKeys();
    try {
      return new BasicConfig(realm, htpasswd);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(node.keyPath("realm"), e.getMessage());
    }
  }

  private static Map<String, Object> readYaml(Path file) {
    LoadSettings settings =
        LoadSettings.builder()
            .setLabel(file.toString())
            .setAllowDuplicateKeys(false)
            .setMaxAliasesForCollections(16)
            .setAllowRecursiveKeys(false)
            .setCodePointLimit(MAX_DOCUMENT_CODE_POINTS)
            .build();
    Object document;
    try (InputStream in = Files.newInputStream(file)) {
      document = new Load(settings).loadFromInputStream(in);
    } catch (NoSuchFileException e) {
      throw new ConfigException("", "no such file " + file);
    } catch (IOException e) {
      throw new ConfigException("", "cannot read " + file + ": " + e.getMessage());
    } catch (YamlEngineException e) {
      throw new ConfigException("", "invalid YAML in " + file + ": " + LogText.oneLine(e.getMessage()));
    }
    if (document == null) {
      return new LinkedHashMap<>();
    }
    if (!(document instanceof Map<?, ?> map)) {
      throw new ConfigException("", file + " must be a YAML mapping of configuration keys");
    }
    Map<String, Object> tree = new LinkedHashMap<>();
    map.forEach((key, value) -> tree.put(String.valueOf(key), value));
    return tree;
  }

  @SuppressWarnings("unchecked")
  private static void put(Map<String, Object> tree, String dottedKey, String value) {
    String[] parts = dottedKey.split("\\.");
    Map<String, Object> node = tree;
    for (int i = 0; i < parts.length - 1; i++) {
      Object child = node.get(parts[i]);
      if (!(child instanceof Map)) {
        child = new LinkedHashMap<String, Object>();
        node.put(parts[i], child);
      } else {
        Map<String, Object> copy = new LinkedHashMap<>();
        ((Map<?, ?>) child).forEach((k, v) -> copy.put(String.valueOf(k), v));
        child = copy;
        node.put(parts[i], child);
      }
      node = (Map<String, Object>) child;
    }
    node.put(parts[parts.length - 1], value);
  }
}
