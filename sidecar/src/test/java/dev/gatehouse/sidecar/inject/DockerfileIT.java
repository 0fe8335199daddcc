package dev.gatehouse.sidecar.inject;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The image's command, without Docker (none runs here): examples/kubernetes/Dockerfile's ENTRYPOINT and ENV, with the
 * files its COPY lines put under /opt/gatehouse taken from where they are built, run as a process with the shaded jar.
 * It proves that the jar it copies starts from that entrypoint, that JDK_JAVA_OPTIONS' @argfile reads jvm.options as
 * the launcher's flags, and that inject in the jar writes the checked-in example.
 */
class DockerfileIT {

  private static final Path REPOSITORY = Path.of("..");
  private static final Path DOCKERFILE = REPOSITORY.resolve("examples/kubernetes/Dockerfile");

  private record Image(String from, Map<String, Path> copies, String javaOptions, String user, List<String> entrypoint) {}

  private static Image image() throws IOException {
    String text = Files.readString(DOCKERFILE);
    Map<String, Path> copies = new LinkedHashMap<>();
    Matcher copy = Pattern.compile("(?m)^COPY (\\S+) (\\S+)$").matcher(text);
    while (copy.find()) {
      copies.put(copy.group(2), REPOSITORY.resolve(copy.group(1)));
    }
    return new Image(
        single(text, "(?m)^FROM (\\S+)$"),
        copies,
        single(text, "(?m)^ENV JDK_JAVA_OPTIONS=(\\S+)$"),
        single(text, "(?m)^USER (\\S+)$"),
        List.of(single(text, "(?m)^ENTRYPOINT \\[(.*)\\]$").replace("\"", "").split(", ")));
  }

  private static String single(String text, String regex) {
    Matcher matcher = Pattern.compile(regex).matcher(text);
    assertThat(matcher.find()).as("Dockerfile has " + regex).isTrue();
    String value = matcher.group(1);
    assertThat(matcher.find()).as("Dockerfile has one " + regex).isFalse();
    return value;
  }

  /** An image path replaced by the file the Dockerfile copies there. */
  private static String local(Image image, String value) {
    for (Map.Entry<String, Path> copy : image.copies().entrySet()) {
      value = value.replace(copy.getKey(), copy.getValue().toAbsolutePath().normalize().toString());
    }
    return value;
  }

  private record Result(int status, String out, String err) {}

  private static Result run(Image image, String javaOptions, String stdin, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    assertThat(image.entrypoint().get(0)).isEqualTo("java");
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    image.entrypoint().stream().skip(1).map(part -> local(image, part)).forEach(command::add);
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().keySet().removeIf(name -> name.startsWith("GATEHOUSE_") || name.endsWith("JAVA_OPTIONS") || name.equals("JAVA_TOOL_OPTIONS"));
    builder.environment().put("JDK_JAVA_OPTIONS", javaOptions);
    Path out = Files.createTempFile("dockerfile-it", ".out");
    Path err = Files.createTempFile("dockerfile-it", ".err");
    builder.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process process = builder.start();
    process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().close();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exited").isTrue();
    Result result = new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    Files.delete(out);
    Files.delete(err);
    return result;
  }

  @Test
  void theImageIsAJre17BaseRunAsUid65532WithTheJarAndJvmOptions() throws IOException {
    Image image = image();
    assertThat(image.from()).isEqualTo("eclipse-temurin:17-jre");
    assertThat(image.user()).isEqualTo(SidecarSpec.UID + ":" + SidecarSpec.UID);
    assertThat(image.copies()).containsKeys("/opt/gatehouse/gatehouse-sidecar.jar", "/opt/gatehouse/jvm.options");
    assertThat(image.copies().get("/opt/gatehouse/jvm.options")).isEqualTo(REPOSITORY.resolve("sidecar/jvm.options"));
    assertThat(image.javaOptions()).isEqualTo("@/opt/gatehouse/jvm.options");
    assertThat(image.copies().get("/opt/gatehouse/gatehouse-sidecar.jar")).as("the shaded jar; run mvn verify").isRegularFile();
  }

  @Test
  void theEntrypointWithTheImagesJavaOptionsRunsTheJarWithTheFlagsOfJvmOptions() throws Exception {
    Image image = image();
    Result result = run(image, local(image, image.javaOptions()) + " -XX:+PrintCommandLineFlags", "", "--version");
    assertThat(result.status()).as(result.err()).isZero();
    List<String> out = result.out().lines().toList();
    // PrintCommandLineFlags shows what the JVM took from the command line, JDK_JAVA_OPTIONS' argfile included.
    assertThat(out.get(0)).contains("-XX:MaxHeapSize=67108864", "-XX:+UseSerialGC", "-XX:MaxDirectMemorySize=67108864", "-XX:ReservedCodeCacheSize=50331648");
    assertThat(out.get(1)).startsWith("gatehouse-sidecar ");
  }

  @Test
  void injectInTheImageWritesTheCheckedInExample() throws Exception {
    Image image = image();
    Path examples = REPOSITORY.resolve("examples/kubernetes");
    Result result = run(image, local(image, image.javaOptions()), Files.readString(examples.resolve("hello-app.yaml")), "inject", "-f", "-", "--image", "gatehouse-sidecar:0.1.0");
    assertThat(result.status()).as(result.err()).isZero();
    assertThat(result.out()).isEqualTo(Files.readString(examples.resolve("hello-app.injected.yaml")));
    // The launcher's one line on standard error when JDK_JAVA_OPTIONS is set (docs/kubernetes.md).
    assertThat(result.err()).startsWith("NOTE: Picked up JDK_JAVA_OPTIONS: @");
  }
}
