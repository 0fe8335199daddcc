package dev.gatehouse.sidecar.inject;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Bad flags: exit status 2, the problem, then the usage line. */
class InjectCommandLineTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--port 8000                                    | -f FILE (or -f - for standard input) is required",
        "-f - --bogus                                   | unknown argument --bogus",
        "-f - --port                                    | --port needs a value",
        "-f - --port http                               | --port: expected a port number 1-65535, found 'http'",
        "-f - --port 70000                              | --port: expected a port number 1-65535, found '70000'",
        "-f - --port 80                                 | cannot listen below 1024; keep 8000 and let the Service's port be 80",
        "-f - --admin-port 8080                         | must be three different ports",
        "-f - --port 9000 --port 9001                   | --port given twice",
        "-f - --config-secret Not_A_Name                | --config-secret: 'Not_A_Name' is not a Secret name",
        "-f - --image=                                  | --image: '' is not an image reference",
      })
  void aBadCommandLineExitsWith2AndTheUsageLine(String args, String problem) {
    Inject result = Inject.run("", args.strip().split(" +"));
    assertThat(result.status()).isEqualTo(2);
    assertThat(result.out()).isEmpty();
    assertThat(result.err().lines()).hasSize(2);
    assertThat(result.err().lines().findFirst().orElseThrow()).startsWith("gatehouse inject: ").contains(problem);
    assertThat(result.err().lines().skip(1).findFirst().orElseThrow()).isEqualTo(InjectOptions.USAGE);
  }

  @Test
  void aMissingInputFileExitsWith2() {
    Inject result = Inject.run("", "-f", "/nonexistent/app.yaml");
    assertThat(result.status()).isEqualTo(2);
    assertThat(result.err()).isEqualTo("gatehouse inject: no such file /nonexistent/app.yaml\n");
  }

  @Test
  void helpNamesEveryFlagAndExitsWith0() {
    Inject result = Inject.run("", "--help");
    assertThat(result.status()).isZero();
    assertThat(result.out()).startsWith(InjectOptions.USAGE).contains("-f, --filename", "-o, --output", "--config-secret", "--port", "--admin-port", "--app-port", "--image");
  }

  @Test
  void flagsAlsoTakeTheirValueAfterAnEqualsSign() {
    Inject result =
        Inject.run(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {app: p}\nspec:\n  containers:\n  - name: app\n    image: app:1\n    ports:\n    - containerPort: 9000\n",
            "-f", "-", "--app-port=9000", "--port=8100", "--admin-port=9100", "--image=img:1", "--config-secret=p-auth");
    assertThat(result.status()).isZero();
    assertThat(result.out()).contains("image: img:1", "--listen=0.0.0.0:8100", "--admin=0.0.0.0:9100", "--upstream=http://127.0.0.1:9000", "secretName: p-auth");
  }
}
