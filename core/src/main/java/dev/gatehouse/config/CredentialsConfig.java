package dev.gatehouse.config;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code credentials} section (sidecar only): a Unix socket serving {@code GET /v1/credentials/NAME} to the
 * callers whose uid is allowed, so that secrets reach the application without a shared volume.
 *
 * @param listen the socket's path
 * @param allowUids the uids allowed, by the socket's peer credentials; none when empty (root is not implied)
 * @param items what is served, names unique
 */
public record CredentialsConfig(Path listen, List<Integer> allowUids, List<Item> items) {

  /**
   * One served value.
   *
   * @param name its name in the URL
   * @param file a file whose content is served
   * @param oauth2Route an egress route whose access token is served, instead of a file
   */
  public record Item(String name, Optional<Path> file, Optional<String> oauth2Route) {

    /**
     * Checks the parts.
     *
     * @throws ConfigException if the name is not a plain word, or not exactly one source is set
     */
    public Item {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(file, "file");
      Objects.requireNonNull(oauth2Route, "oauth2Route");
      if (name.isEmpty() || !name.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_')
          || name.equals(".") || name.equals("..")) {
        throw new ConfigException("name", "may hold only letters, digits, '.', '-' and '_', found " + name);
      }
      if (file.isPresent() == oauth2Route.isPresent()) {
        throw new ConfigException("file", file.isPresent() ? "set file or oauth2-route, not both" : "missing; set file or oauth2-route");
      }
    }
  }

  /**
   * Checks the parts.
   *
   * @throws ConfigException if a uid is negative or two items share a name
   */
  public CredentialsConfig {
    Objects.requireNonNull(listen, "listen");
    allowUids = List.copyOf(allowUids);
    items = List.copyOf(items);
    for (int uid : allowUids) {
      if (uid < 0) {
        throw new ConfigException("allow-uids", "a uid is not negative, found " + uid);
      }
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      if (!names.add(items.get(i).name())) {
        throw new ConfigException("items[" + i + "].name", "another item is named " + items.get(i).name());
      }
    }
  }
}
