package dev.gatehouse.config;

import dev.gatehouse.internal.LogText;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
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
    OperationsConfig operations = operations(root);
    // Bound first: whether a certificate's CN may name the peer by default depends on whether the rules use SPIFFE.
    AuthorizationConfig authorization = root.section(ConfigSchema.AUTHORIZATION).map(AuthorizationBinder::bind).orElse(AuthorizationConfig.NONE);
    boolean rulesUseSpiffe = authorization.namesSpiffePeers();
    AuthenticationConfig authentication =
        root.section(ConfigSchema.AUTHENTICATION)
            .map(node -> authentication(node, rulesUseSpiffe))
            .orElseThrow(() -> new ConfigException("authentication", "missing; configure at least one method, such as basic"));
    // The sidecar's handshake trusts every trust domain's CAs when tls.client-ca does not say otherwise.
    List<Path> trustDomainCas =
        authentication.clientCertificate().map(cert -> List.copyOf(cert.trustDomains().values())).orElse(List.of());
    Optional<TlsConfig> tls = root.section(ConfigSchema.TLS).map(node -> TlsConfigBinder.bind(node, trustDomainCas));
    Optional<AssertionConfig> assertion = root.section(ConfigSchema.ASSERTION).map(AssertionBinder::signer);
    HeadersConfig headers = root.section(ConfigSchema.HEADERS).map(ConfigLoader::headers).orElse(HeadersConfig.DEFAULTS);
    LimitsConfig limits = root.section(ConfigSchema.LIMITS).map(ConfigLoader::limits).orElse(LimitsConfig.DEFAULTS);
    Optional<EgressConfig> egress = root.section(ConfigSchema.EGRESS).map(EgressBinder::egress);
    Optional<CredentialsConfig> credentials = root.section(ConfigSchema.CREDENTIALS).map(node -> EgressBinder.credentials(node, egress));
    root.rejectUnknownKeys();
    if (!authentication.any()) {
      throw new ConfigException("authentication", "configure at least one method, such as basic");
    }
    // The sidecar's assertion names the peer its client certificate proved, so peer rules hold behind it too.
    boolean peers = authentication.clientCertificate().isPresent() || authentication.sidecarAssertion().isPresent();
    List<String> issuers = authentication.jwt().stream().map(JwtIssuerConfig::issuer).toList();
    authorization.checkPeerRules(peers, issuers);
    authorization.checkRequestPrincipals(issuers);
    try {
      return new GatehouseConfig(listen, upstream, allowRemoteUpstream, authentication, authorization, tls, upstreamProtocol, assertion, operations, headers, limits, egress, credentials);
    } catch (ConfigException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new ConfigException("upstream", e.getMessage());
    }
  }

  private static OperationsConfig operations(ConfigNode root) {
    Duration drainDelay =
        root.section(ConfigSchema.SHUTDOWN)
            .map(
                node -> {
                  Duration delay = node.get(ConfigSchema.SHUTDOWN_DRAIN_DELAY, OperationsConfig.DEFAULT_DRAIN_DELAY);
                  node.rejectUnknownKeys();
                  return delay;
                })
            .orElse(OperationsConfig.DEFAULT_DRAIN_DELAY);
    return new OperationsConfig(
        root.get(ConfigSchema.ADMIN),
        drainDelay,
        root.get(ConfigSchema.ACCESS_LOG, OperationsConfig.ACCESS_LOG_NONE),
        root.get(ConfigSchema.LOG_FORMAT, OperationsConfig.LogFormat.TEXT));
  }

  private static HeadersConfig headers(ConfigNode node) {
    List<String> pass = node.get(ConfigSchema.HEADERS_PASS_FROM_CLIENT, List.of());
    node.rejectUnknownKeys();
    return new HeadersConfig(pass);
  }

  private static LimitsConfig limits(ConfigNode node) {
    Duration headerTimeout = node.get(ConfigSchema.LIMITS_HEADER_TIMEOUT, LimitsConfig.DEFAULT_HEADER_TIMEOUT);
    int connectionsPerPeer = node.get(ConfigSchema.LIMITS_CONNECTIONS_PER_PEER, LimitsConfig.DEFAULT_CONNECTIONS_PER_PEER);
    node.rejectUnknownKeys();
    try {
      return new LimitsConfig(headerTimeout, connectionsPerPeer);
    } catch (ConfigException e) {
      throw e.within(node.path());
    }
  }

  private static AuthenticationConfig authentication(ConfigNode node, boolean rulesUseSpiffe) {
    Optional<BasicConfig> basic = node.section(ConfigSchema.BASIC).map(ConfigLoader::basic);
    List<JwtIssuerConfig> jwt = JwtIssuerBinder.bindAll(node.sections(ConfigSchema.JWT));
    Optional<ClientCertificateConfig> clientCertificate = node.section(ConfigSchema.CLIENT_CERTIFICATE).flatMap(section -> clientCertificate(section, rulesUseSpiffe));
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

  /**
   * {@code client-certificate: {}} turns it on; {@code enabled: false} lets a profile or flag turn it off again. Common
   * names are allowed by default only where nothing uses SPIFFE: no trust domains, and no rule naming a {@code
   * spiffe://} peer or a namespace.
   */
  private static Optional<ClientCertificateConfig> clientCertificate(ConfigNode node, boolean rulesUseSpiffe) {
    boolean enabled = node.get(ConfigSchema.CLIENT_CERTIFICATE_ENABLED, true);
    Map<String, Path> trustDomains = trustDomains(node);
    boolean commonNames = node.get(ConfigSchema.CLIENT_CERTIFICATE_ALLOW_COMMON_NAMES, !rulesUseSpiffe && trustDomains.isEmpty());
    node.rejectUnknownKeys();
    if (!enabled) {
      return Optional.empty();
    }
    try {
      return Optional.of(new ClientCertificateConfig(trustDomains, commonNames));
    } catch (ConfigException e) {
      throw e.within(node.path());
    }
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
              if (domain.isEmpty()
                  || domain.length() > 255
                  || domain.startsWith(".")
                  || domain.endsWith(".")
                  || domain.contains("..")
                  || !domain.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_')) {
                throw new ConfigException(key, "not a SPIFFE trust domain (at most 255 lower-case letters, digits, '.', '-' and '_', no leading, trailing or double dot), found " + domain);
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
    int maxBcryptCost = node.get(ConfigSchema.BASIC_MAX_BCRYPT_COST, BasicConfig.DEFAULT_MAX_BCRYPT_COST);
    int maxShaCryptRounds = node.get(ConfigSchema.BASIC_MAX_SHA_CRYPT_ROUNDS, BasicConfig.DEFAULT_MAX_SHA_CRYPT_ROUNDS);
    BasicConfig.FailureBudget defaults = BasicConfig.FailureBudget.DEFAULT;
    Optional<ConfigNode> budgetNode = node.section(ConfigSchema.BASIC_FAILURE_BUDGET);
    int peerBurst = defaults.peerBurst();
    Duration peerRefill = defaults.peerRefill();
    int userBurst = defaults.userBurst();
    Duration userRefill = defaults.userRefill();
    if (budgetNode.isPresent()) {
      ConfigNode b = budgetNode.get();
      peerBurst = b.get(ConfigSchema.BASIC_FAILURE_PEER_BURST, peerBurst);
      peerRefill = b.get(ConfigSchema.BASIC_FAILURE_PEER_REFILL, peerRefill);
      userBurst = b.get(ConfigSchema.BASIC_FAILURE_USER_BURST, userBurst);
      userRefill = b.get(ConfigSchema.BASIC_FAILURE_USER_REFILL, userRefill);
      b.rejectUnknownKeys();
    }
    node.rejectUnknownKeys();
    try {
      BasicConfig.FailureBudget budget = new BasicConfig.FailureBudget(peerBurst, peerRefill, userBurst, userRefill);
      return new BasicConfig(realm, htpasswd, maxBcryptCost, maxShaCryptRounds, budget);
    } catch (BasicConfig.CeilingException e) {
      throw new ConfigException(node.keyPath(e.key), e.getMessage());
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
