package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testing.GeneratedFile;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/configuration.md}, the reference of every key, is rendered from {@link ConfigSchema}: this test fails when
 * the committed file drifts from the schema. Rewrite it with {@code mvn -pl core test -Dtest=ConfigurationReferenceTest
 * -Dgatehouse.reference.write=true}.
 */
class ConfigurationReferenceTest {

  private static final Path REFERENCE = Path.of("../docs/configuration.md");

  @Test
  void committedReferenceIsTheSchemas() {
    GeneratedFile.assertCommitted(REFERENCE, render(), "gatehouse.reference.write");
  }

  @Test
  void everyFlagIsUniqueAndEveryKeyHasOneParentSection() {
    List<String> flags = ConfigSchema.keys().stream().flatMap(key -> key.flag().stream()).toList();
    assertThat(flags).doesNotHaveDuplicates();
    for (ConfigKey<?> key : ConfigSchema.keys()) {
      if (!key.parent().isEmpty()) {
        String section = key.parent().endsWith("[]") ? key.parent().substring(0, key.parent().length() - 2) : key.parent();
        assertThat(ConfigSchema.key(section)).as("section of %s", key).isPresent();
      }
    }
  }

  private static String render() {
    StringBuilder out =
        new StringBuilder()
            .append("# Configuration reference\n\n")
            .append("Every key Gatehouse reads, generated from `ConfigSchema` (core), where each key is declared once. The same\n")
            .append("keys are the sidecar's YAML file, its flags and `GATEHOUSE_*` variables (where a flag is listed), the servlet\n")
            .append("filter's YAML file, and Spring Boot's `gatehouse.*` properties. `[]` marks the entries of a list. Scope: *all*\n")
            .append("deliveries, the *sidecar* alone (Spring Boot refuses these and points to `server.ssl`), or *Spring Boot*\n")
            .append("alone. Durations: `500ms`, `30s`, `2m`, `1h`, or a number of seconds (Spring Boot also takes `PT30S`). Sizes:\n")
            .append("`16384`, `16k`, `16KiB` (Spring Boot also takes `16KB`). Unknown keys are refused, naming the key.\n\n")
            .append("| key | type | default | scope | flag / variable | what it does |\n")
            .append("|---|---|---|---|---|---|\n");
    for (ConfigKey<?> key : ConfigSchema.keys()) {
      out.append("| `")
          .append(key.path())
          .append("` | ")
          .append(type(key))
          .append(" | ")
          .append(key.defaultValue().map(value -> "`" + value + "`").orElse(""))
          .append(" | ")
          .append(
              switch (key.scope()) {
                case ALL -> "all";
                case SIDECAR -> "sidecar";
                case SPRING -> "Spring Boot";
              })
          .append(" | ")
          .append(key.flag().map(flag -> "`" + flag + (key.flagValueName().isEmpty() ? "" : " " + key.flagValueName()) + "` / `" + key.environmentVariable().orElseThrow() + "`").orElse(""))
          .append(" | ")
          .append(key.description().replace("|", "\\|"))
          .append(key.secret() ? " Secret: never shown in messages." : "")
          .append(" |\n");
    }
    return out.toString();
  }

  private static String type(ConfigKey<?> key) {
    ConfigType<?> type = key.type();
    return switch (type.kind()) {
      case ENUM -> String.join(" \\| ", type.allowedValues());
      case SECTION -> "section";
      case SECTION_LIST -> "list of sections";
      case HOST_PORT -> "host:port";
      case FILE -> "file";
      default -> type.kind().name().toLowerCase(java.util.Locale.ROOT);
    };
  }
}
