package dev.gatehouse.sidecar;

import dev.gatehouse.Explanation;
import dev.gatehouse.Gatehouse;
import dev.gatehouse.Identity;
import dev.gatehouse.RequestView;
import dev.gatehouse.authn.Authenticator;
import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.ConfigLoader;
import dev.gatehouse.config.GatehouseConfig;
import java.io.PrintStream;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * {@code gatehouse-sidecar check}: what the configured rules decide about one request, and which rule decides it,
 * without starting a server (as {@code istioctl x authz check}). Credentials are not checked: the request principal is
 * taken to be who {@code --user} says and the mTLS peer who {@code --peer} says. Everything else is the engine's own
 * pipeline ({@link Gatehouse#explain}), with authenticators that state those identities, so {@code check} and a
 * running sidecar can never disagree. Exit status 0 when allowed, 1 when refused, 2 for a bad command line or
 * configuration.
 */
final class AuthorizationCheck {

  static final String HELP =
      """
      Usage: java -jar gatehouse-sidecar.jar check --config FILE [options]

      Prints what the authorization rules decide about one request and the rule that decides it.

        --config FILE            YAML configuration file (or GATEHOUSE_CONFIG)
        --method METHOD          request method (default GET)
        --path PATH              request path as sent, e.g. /admin/x (default /)
        --user NAME              the request principal (a Basic user, a JWT's iss/sub); none when absent
        --peer SPIFFE_OR_CN      the mTLS peer (a SPIFFE ID, or cn:<certificate CN>); none when absent
        --groups A,B             the request principal's groups
        --claims JSON            the caller's JWT claims, e.g. '{"realm_access":{"roles":["ops"]}}'
        --header 'NAME: VALUE'   a request header (repeatable), e.g. 'Host: api.example.com'
        --ip ADDRESS             the peer address (default 127.0.0.1)
        --port PORT              the local port the request arrives on (default the listen port)

      Exit status: 0 allowed, 1 refused, 2 bad command line or configuration.
      """;

  private AuthorizationCheck() {}

  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    try {
      return check(args, env, out);
    } catch (ConfigException e) {
      err.println("gatehouse check: " + e.getMessage().replaceAll("\\s*[\\r\\n]+\\s*", " "));
      return 2;
    }
  }

  private static int check(String[] args, Map<String, String> env, PrintStream out) {
    Optional<String> config = Optional.ofNullable(env.get("GATEHOUSE_CONFIG")).filter(value -> !value.isBlank());
    String method = "GET";
    String path = "/";
    Optional<String> user = Optional.empty();
    Optional<String> peer = Optional.empty();
    Set<String> groups = new LinkedHashSet<>();
    Map<String, Object> claims = Map.of();
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    String ip = "127.0.0.1";
    Optional<Integer> port = Optional.empty();
    for (int i = 1; i < args.length; i++) {
      String flag = args[i];
      if (flag.equals("--help") || flag.equals("-h")) {
        out.print(HELP);
        return 0;
      }
      if (i + 1 >= args.length) {
        throw new ConfigException("", flag + " needs a value; see check --help");
      }
      String value = args[++i];
      switch (flag) {
        case "--config" -> config = Optional.of(value);
        case "--method" -> method = value;
        case "--path" -> path = value;
        case "--user" -> user = Optional.of(value);
        case "--peer" -> peer = Optional.of(value);
        case "--groups" -> {
          for (String group : value.split(",")) {
            if (!group.isBlank()) {
              groups.add(group.strip());
            }
          }
        }
        case "--claims" -> claims = claims(value);
        case "--header" -> {
          int colon = value.indexOf(':');
          if (colon <= 0) {
            throw new ConfigException("", "--header: expected 'Name: value', found " + value);
          }
          headers.add(Map.entry(value.substring(0, colon).strip(), value.substring(colon + 1).strip()));
        }
        case "--ip" -> ip = value;
        case "--port" -> {
          try {
            port = Optional.of(Integer.parseInt(value));
          } catch (NumberFormatException e) {
            throw new ConfigException("", "--port: expected a number, found " + value);
          }
        }
        default -> throw new ConfigException("", "unknown option " + flag + "; see check --help");
      }
    }
    Path file;
    try {
      file = Path.of(config.orElseThrow(() -> new ConfigException("", "check needs --config FILE")));
    } catch (InvalidPathException e) {
      throw new ConfigException("", "--config: not a valid path");
    }
    GatehouseConfig gatehouse = ConfigLoader.load(file);
    int localPort = port.orElse(gatehouse.listenOrDefault().getPort());
    Map<String, Object> statedClaims = claims;
    Optional<Identity> principal = user.map(name -> requestPrincipal(name, groups, statedClaims));
    Optional<Identity> peerIdentity;
    try {
      peerIdentity = peer.map(Identity::peer);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("", "--peer: not a SPIFFE ID or cn:<common name>: " + e.getMessage());
    }
    Explanation explanation;
    try (Gatehouse engine =
        Gatehouse.builder()
            .authenticator(Authenticator.assuming(Identity.Kind.PEER, peerIdentity))
            .authenticator(Authenticator.assuming(Identity.Kind.REQUEST_PRINCIPAL, principal))
            .authorization(gatehouse.authorization())
            .build()) {
      explanation = engine.explain(new CheckRequest(method, path, headers, ip, localPort));
    }
    out.println("decision: " + (explanation.status() == 200 ? "ALLOW" : "DENY") + " (" + explanation.status() + ")");
    out.println("rule:     " + explanation.rule().orElse("(none: default)"));
    out.println("path:     " + explanation.path().orElse("(refused)"));
    out.println("caller:   " + principal.or(() -> peerIdentity).map(Identity::name).orElse("(anonymous)"));
    out.println("peer:     " + peerIdentity.map(Identity::name).orElse("(none)"));
    out.println("reason:   " + reason(explanation));
    return explanation.status() == 200 ? 0 : 1;
  }

  /** The last stage's finding: the rules' reason, or the refusal that came before them. */
  private static String reason(Explanation explanation) {
    List<Explanation.Step> trace = explanation.trace();
    return trace.isEmpty() ? "" : trace.get(trace.size() - 1).outcome();
  }

  private static Identity requestPrincipal(String name, Set<String> groups, Map<String, Object> claims) {
    return new Identity(name, "check", groups, claims.isEmpty() ? Map.of() : Map.of(Identity.CLAIMS, claims));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> claims(String json) {
    Object parsed;
    try {
      // JSON is YAML 1.2 flow style, so the YAML parser already on the class path reads it.
      parsed = new Load(LoadSettings.builder().setMaxAliasesForCollections(0).build()).loadFromString(json);
    } catch (YamlEngineException e) {
      throw new ConfigException("", "--claims: not a JSON object");
    }
    if (!(parsed instanceof Map<?, ?> map)) {
      throw new ConfigException("", "--claims: not a JSON object");
    }
    Map<String, Object> claims = new LinkedHashMap<>();
    map.forEach((key, value) -> claims.put(String.valueOf(key), value));
    return claims;
  }

  /** The request described on the command line. */
  private record CheckRequest(String method, String path, List<Map.Entry<String, String>> headerList, String remoteAddress, int localPort)
      implements RequestView {
    @Override
    public List<String> headers(String name) {
      List<String> values = new ArrayList<>();
      for (Map.Entry<String, String> header : headerList) {
        if (header.getKey().equalsIgnoreCase(name)) {
          values.add(header.getValue());
        }
      }
      return values;
    }

    @Override
    public boolean secure() {
      return false;
    }
  }
}
