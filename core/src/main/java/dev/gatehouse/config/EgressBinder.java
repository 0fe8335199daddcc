package dev.gatehouse.config;

import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Binds {@code egress} and {@code credentials} (sidecar only), naming the bad key on error. */
final class EgressBinder {

  private EgressBinder() {}

  static EgressConfig egress(ConfigNode node) {
    String listenText = node.require(ConfigSchema.EGRESS_LISTEN, "a loopback IP:port such as 127.0.0.1:15001, or unix:/path");
    SocketAddress listen = EgressConfig.parseListen(node.keyPath("listen"), listenText);
    List<EgressRoute> routes = new ArrayList<>();
    for (ConfigNode route : node.sections(ConfigSchema.EGRESS_ROUTES)) {
      routes.add(route(route));
    }
    node.rejectUnknownKeys();
    try {
      return new EgressConfig(listen, routes);
    } catch (ConfigException e) {
      throw e.within(node.path());
    }
  }

  private static EgressRoute route(ConfigNode node) {
    String name = node.require(ConfigSchema.EGRESS_ROUTE_NAME, "a name for the route");
    String prefix = node.require(ConfigSchema.EGRESS_ROUTE_PREFIX, "the path prefix the app calls, such as /orders/");
    java.net.URI upstream = node.require(ConfigSchema.EGRESS_ROUTE_UPSTREAM, "the https URL the prefix stands for");
    List<String> methods = node.list(ConfigSchema.EGRESS_ROUTE_METHODS);
    Optional<EgressTlsConfig> tls = node.section(ConfigSchema.EGRESS_ROUTE_TLS).map(EgressBinder::tls);
    Optional<OAuth2ClientConfig> oauth2 = node.section(ConfigSchema.EGRESS_ROUTE_OAUTH2).map(EgressBinder::oauth2);
    node.rejectUnknownKeys();
    try {
      return new EgressRoute(name, prefix, upstream, methods, tls, oauth2);
    } catch (ConfigException e) {
      throw e.within(node.path());
    }
  }

  private static EgressTlsConfig tls(ConfigNode node) {
    EgressTlsConfig config;
    try {
      config =
          new EgressTlsConfig(
              node.get(ConfigSchema.EGRESS_ROUTE_TLS_CA),
              node.get(ConfigSchema.EGRESS_ROUTE_TLS_SERVER_NAME),
              node.list(ConfigSchema.EGRESS_ROUTE_TLS_PEER_SPIFFE_IDS),
              node.get(ConfigSchema.EGRESS_ROUTE_TLS_CLIENT_CERTIFICATE),
              node.get(ConfigSchema.EGRESS_ROUTE_TLS_CLIENT_KEY));
    } catch (ConfigException e) {
      throw e.within(node.path());
    }
    node.rejectUnknownKeys();
    return config;
  }

  private static OAuth2ClientConfig oauth2(ConfigNode node) {
    java.net.URI tokenUri = node.require(ConfigSchema.EGRESS_ROUTE_OAUTH2_TOKEN_URI, "the identity provider's token endpoint");
    String clientId = node.require(ConfigSchema.EGRESS_ROUTE_OAUTH2_CLIENT_ID, "the client's ID at the identity provider");
    OAuth2ClientConfig config;
    try {
      config =
          new OAuth2ClientConfig(
              tokenUri,
              clientId,
              node.get(ConfigSchema.EGRESS_ROUTE_OAUTH2_CLIENT_SECRET_FILE),
              node.get(ConfigSchema.EGRESS_ROUTE_OAUTH2_CLIENT_ASSERTION_KEY),
              node.get(ConfigSchema.EGRESS_ROUTE_OAUTH2_CLIENT_ASSERTION_KEY_ID),
              node.list(ConfigSchema.EGRESS_ROUTE_OAUTH2_SCOPES),
              node.get(ConfigSchema.EGRESS_ROUTE_OAUTH2_AUDIENCE),
              node.get(ConfigSchema.EGRESS_ROUTE_OAUTH2_AUDIENCE_PARAMETER, OAuth2ClientConfig.AudienceParameter.AUDIENCE));
    } catch (ConfigException e) {
      throw e.within(node.path());
    }
    node.rejectUnknownKeys();
    return config;
  }

  static CredentialsConfig credentials(ConfigNode node, Optional<EgressConfig> egress) {
    String listenText = node.require(ConfigSchema.CREDENTIALS_LISTEN, "a Unix socket such as unix:/run/gatehouse/credentials.sock");
    if (!listenText.startsWith("unix:/")) {
      throw new ConfigException(node.keyPath("listen"), "must be a Unix socket such as unix:/run/gatehouse/credentials.sock; found " + listenText);
    }
    Path listen = ((UnixDomainSocketAddress) EgressConfig.parseListen(node.keyPath("listen"), listenText)).getPath();
    List<Integer> uids = new ArrayList<>();
    for (String uid : node.list(ConfigSchema.CREDENTIALS_ALLOW_UIDS)) {
      try {
        uids.add(Integer.parseInt(uid.strip()));
      } catch (NumberFormatException e) {
        throw new ConfigException(node.keyPath("allow-uids"), "expected numeric uids such as 1000, found " + uid);
      }
    }
    List<CredentialsConfig.Item> items = new ArrayList<>();
    for (ConfigNode item : node.sections(ConfigSchema.CREDENTIALS_ITEMS)) {
      String name = item.require(ConfigSchema.CREDENTIALS_ITEM_NAME, "the name the app asks for");
      Optional<String> route = item.get(ConfigSchema.CREDENTIALS_ITEM_OAUTH2_ROUTE);
      try {
        items.add(new CredentialsConfig.Item(name, item.get(ConfigSchema.CREDENTIALS_ITEM_FILE), route));
      } catch (ConfigException e) {
        throw e.within(item.path());
      }
      item.rejectUnknownKeys();
      if (route.isPresent()) {
        boolean found = egress.stream().flatMap(e -> e.routes().stream()).anyMatch(r -> r.name().equals(route.get()) && r.oauth2().isPresent());
        if (!found) {
          throw new ConfigException(item.keyPath("oauth2-route"), "no egress route named " + route.get() + " with an oauth2 section");
        }
      }
    }
    node.rejectUnknownKeys();
    try {
      return new CredentialsConfig(listen, uids, items);
    } catch (ConfigException e) {
      throw e.within(node.path());
    }
  }
}
