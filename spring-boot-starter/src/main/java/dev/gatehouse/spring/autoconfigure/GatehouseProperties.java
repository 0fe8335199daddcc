package dev.gatehouse.spring.autoconfigure;

import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.config.GatehouseConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Gatehouse settings, bound from {@code gatehouse.*}.
 *
 * <p>The keys are those of the Gatehouse YAML file, so {@code gatehouse.authentication.basic.htpasswd} here is {@code
 * authentication.basic.htpasswd} there, and the same values are accepted or refused with the same messages: the
 * properties are handed to Gatehouse's own configuration loader, not validated a second time here. {@code enabled} and
 * {@code filter.order} exist only in Spring Boot.
 *
 * @param enabled Whether to enable Gatehouse when gatehouse properties are set.
 * @param authentication Ways for callers to prove who they are.
 * @param filter Servlet filter settings.
 */
@ConfigurationProperties("gatehouse")
public record GatehouseProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue Authentication authentication,
    @DefaultValue Filter filter) {

  /** The filter order used when none is configured: before Spring Security's filter, which defaults to -100. */
  public static final int DEFAULT_FILTER_ORDER = -110;

  /**
   * Ways for callers to prove who they are.
   *
   * @param basic HTTP Basic authentication against an htpasswd file.
   * @param clientCertificate Authentication by the TLS client certificate the server verified.
   */
  public record Authentication(@DefaultValue Basic basic, @DefaultValue ClientCertificate clientCertificate) {}

  /**
   * Authentication by the TLS client certificate the server verified (configure TLS with server.ssl and an SSL
   * bundle). The caller is named by the certificate's SPIFFE ID, otherwise by its subject common name.
   *
   * @param enabled Whether to name callers by their client certificate.
   */
  public record ClientCertificate(@Nullable Boolean enabled) {}

  /**
   * HTTP Basic authentication against an htpasswd file.
   *
   * @param realm Realm named in the HTTP Basic challenge.
   * @param htpasswd Path of the htpasswd file to check passwords against, as written by Apache's htpasswd tool. A
   *     relative path resolves against the working directory.
   */
  public record Basic(@Nullable String realm, @Nullable String htpasswd) {}

  /**
   * Servlet filter settings.
   *
   * @param order Order of the Gatehouse filter among the servlet filters. Lower runs earlier; Spring Security's filter
   *     is at -100 unless configured otherwise.
   */
  public record Filter(@DefaultValue("" + DEFAULT_FILTER_ORDER) int order) {}

  /**
   * Builds the core configuration. The tree holds only the keys that were set, under their YAML names, so that the
   * core loader supplies its own defaults and reports a bad or missing value exactly as it does for a YAML file.
   *
   * @throws dev.gatehouse.config.ConfigException naming the key, such as {@code authentication.basic.htpasswd: no such
   *     file ./htpasswd}
   */
  GatehouseConfig toConfig() {
    Map<String, Object> basic = new LinkedHashMap<>();
    putIfSet(basic, "realm", authentication.basic().realm());
    putIfSet(basic, "htpasswd", authentication.basic().htpasswd());
    Map<String, Object> authenticationTree = new LinkedHashMap<>();
    if (!basic.isEmpty()) {
      authenticationTree.put("basic", basic);
    }
    Map<String, Object> clientCertificate = new LinkedHashMap<>();
    putIfSet(clientCertificate, "enabled", authentication.clientCertificate().enabled());
    if (!clientCertificate.isEmpty()) {
      authenticationTree.put("client-certificate", clientCertificate);
    }
    Map<String, Object> tree = new LinkedHashMap<>();
    if (!authenticationTree.isEmpty()) {
      tree.put("authentication", authenticationTree);
    }
    return ConfigLoader.fromTree(tree);
  }

  private static void putIfSet(Map<String, Object> tree, String key, @Nullable Object value) {
    if (value != null) {
      tree.put(key, value);
    }
  }
}
