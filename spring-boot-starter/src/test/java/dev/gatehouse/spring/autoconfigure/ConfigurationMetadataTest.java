package dev.gatehouse.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.config.ConfigKey;
import dev.gatehouse.config.ConfigSchema;
import dev.gatehouse.config.ConfigType;
import dev.gatehouse.testing.GeneratedFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The starter's {@code META-INF/spring-configuration-metadata.json} (IDE completion of {@code gatehouse.*}) is rendered
 * from Gatehouse's {@link ConfigSchema}: this test fails when the committed file drifts from the schema. Rewrite it with
 * {@code mvn -pl spring-boot-starter -am test -Dtest=ConfigurationMetadataTest -Dgatehouse.metadata.write=true
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class ConfigurationMetadataTest {

  private static final Path METADATA = Path.of("src/main/resources/META-INF/spring-configuration-metadata.json");

  @Test
  void committedMetadataIsTheSchemas() {
    GeneratedFile.assertCommitted(METADATA, render(), "gatehouse.metadata.write");
  }

  @Test
  void everyKeyOfTheFileIsAPropertyOrAGroup() throws IOException {
    String metadata = Files.readString(METADATA, StandardCharsets.UTF_8);
    for (ConfigKey<?> key : ConfigSchema.keys()) {
      if (key.scope() == ConfigKey.Scope.SIDECAR || key.path().contains("[]")) {
        continue;
      }
      assertThat(metadata).contains("\"name\": \"gatehouse." + key.path() + "\"");
    }
  }

  private static String render() {
    List<String> groups = new ArrayList<>();
    List<String> properties = new ArrayList<>();
    List<String> hints = new ArrayList<>();
    groups.add(object(List.of(field("name", "gatehouse"), field("description", "Gatehouse authentication and authorization."))));
    for (ConfigKey<?> key : ConfigSchema.keys()) {
      // The sidecar's keys are not Spring Boot's; keys inside lists are described by their list.
      if (key.scope() == ConfigKey.Scope.SIDECAR || key.path().contains("[]")) {
        continue;
      }
      String name = "gatehouse." + key.path();
      ConfigType.Kind kind = key.type().kind();
      if (kind == ConfigType.Kind.SECTION) {
        groups.add(object(List.of(field("name", name), field("description", key.description()))));
        continue;
      }
      List<String> fields = new ArrayList<>();
      fields.add(field("name", name));
      fields.add(field("type", javaType(key)));
      fields.add(field("description", description(key)));
      key.defaultValue().ifPresent(value -> fields.add(defaultValue(key, value)));
      properties.add(object(fields));
      if (kind == ConfigType.Kind.ENUM) {
        List<String> values = key.type().allowedValues().stream().map(value -> object(List.of(field("value", value)))).toList();
        hints.add(object(List.of(field("name", name), "\"values\": [" + String.join(", ", values) + "]")));
      }
    }
    return "{\n  \"groups\": [\n    "
        + String.join(",\n    ", groups)
        + "\n  ],\n  \"properties\": [\n    "
        + String.join(",\n    ", properties)
        + "\n  ],\n  \"hints\": [\n    "
        + String.join(",\n    ", hints)
        + "\n  ]\n}\n";
  }

  /** A list of sections lists the keys of its entries, which IDEs cannot complete inside an index. */
  private static String description(ConfigKey<?> key) {
    if (key.type().kind() != ConfigType.Kind.SECTION_LIST) {
      return key.description();
    }
    List<String> names = ConfigSchema.children(key.path() + "[]").stream().map(ConfigKey::name).toList();
    return key.description() + " Keys of each entry: " + String.join(", ", names) + ".";
  }

  private static String javaType(ConfigKey<?> key) {
    return switch (key.type().kind()) {
      case BOOLEAN -> "java.lang.Boolean";
      case INTEGER -> "java.lang.Integer";
      case DURATION -> "java.time.Duration";
      case SIZE -> "org.springframework.util.unit.DataSize";
      case URL -> "java.net.URI";
      case LIST -> "java.util.List<java.lang.String>";
      case MAP -> "java.util.Map<java.lang.String,java.lang.String>";
      case SECTION_LIST -> "java.util.List<java.util.Map<java.lang.String,java.lang.Object>>";
      default -> "java.lang.String";
    };
  }

  private static String defaultValue(ConfigKey<?> key, String value) {
    return switch (key.type().kind()) {
      case BOOLEAN, INTEGER -> "\"defaultValue\": " + value;
      default -> field("defaultValue", value);
    };
  }

  private static String object(List<String> fields) {
    return "{" + String.join(", ", fields) + "}";
  }

  private static String field(String name, String value) {
    return "\"" + name + "\": \"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
