package dev.gatehouse.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loopback guard for real: in a network namespace of its own ({@code unshare -n}, as root), a server on 127.0.0.1,
 * the rules applied by the sidecar's own {@code loopback-guard --apply}, then connections from several user ids
 * ({@code setpriv}). Only the sidecar's and the allowed uid get through; a port the guard does not name stays open to
 * all, which shows the refusals are the rules' and not the namespace's. Skipped, saying why, where the machine cannot
 * make a namespace or lacks the tools.
 */
class LoopbackGuardTest {

  private static final int APP_PORT = 8080;
  private static final int OTHER_PORT = 9090;
  private static final int SIDECAR_UID = 65532;
  private static final int APP_UID = 23456;
  private static final int OTHER_UID = 12345;

  @TempDir Path directory;

  @Test
  void onlyTheSidecarsUidReachesTheAppOverLoopback() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "needs root to make a network namespace and load rules (CI runs as root)");
    for (String tool : new String[] {"unshare", "setpriv", "ip", "bash"}) {
      assumeTrue(onPath(tool), tool + " is not installed");
    }
    assumeTrue(onPath("nft") || onPath("iptables"), "neither nft nor iptables is installed (.ci/run installs nftables)");
    assumeTrue(run("unshare", "-n", "true").exitValue() == 0, "this kernel does not allow a new network namespace here");

    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("java.class.path");
    Path script = Files.writeString(directory.resolve("guard.sh"), """
        set -u
        ip link set lo up
        "$JAVA" -cp "$CP" dev.gatehouse.sidecar.LoopbackServer 127.0.0.1 %1$d & app=$!
        "$JAVA" -cp "$CP" dev.gatehouse.sidecar.LoopbackServer ::1 %1$d & app6=$!
        "$JAVA" -cp "$CP" dev.gatehouse.sidecar.LoopbackServer 127.0.0.1 %2$d & other=$!
        trap 'kill $app $app6 $other' EXIT
        for i in $(seq 1 100); do
          (exec 3<>/dev/tcp/127.0.0.1/%1$d) 2>/dev/null && (exec 3<>/dev/tcp/::1/%1$d) 2>/dev/null && (exec 3<>/dev/tcp/127.0.0.1/%2$d) 2>/dev/null && break
          sleep 0.1
        done
        "$JAVA" -cp "$CP" dev.gatehouse.sidecar.GatehouseSidecar loopback-guard --app-port %1$d --sidecar-uid %3$d --allow-uid %4$d --apply || exit 3
        probe() { setpriv --reuid=$1 --regid=$1 --clear-groups bash -c "exec 3<>/dev/tcp/${3:-127.0.0.1}/$2" 2>/dev/null && echo "$1:$2${3:+ v6} accepted" || echo "$1:$2${3:+ v6} refused"; }
        probe %3$d %1$d
        probe %4$d %1$d
        probe %5$d %1$d
        probe 0 %1$d
        probe %5$d %2$d
        probe %3$d %1$d ::1
        probe %5$d %1$d ::1
        """.formatted(APP_PORT, OTHER_PORT, SIDECAR_UID, APP_UID, OTHER_UID));
    ProcessBuilder builder = new ProcessBuilder("unshare", "-n", "bash", script.toString()).redirectErrorStream(true);
    builder.environment().putAll(Map.of("JAVA", java, "CP", classpath));
    Process process = builder.start();
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("the namespace run finished").isTrue();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    System.out.println(output);
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output)
        .contains(SIDECAR_UID + ":" + APP_PORT + " accepted")
        .contains(APP_UID + ":" + APP_PORT + " accepted")
        .contains(OTHER_UID + ":" + APP_PORT + " refused")
        .contains("0:" + APP_PORT + " refused")
        .contains(OTHER_UID + ":" + OTHER_PORT + " accepted")
        .contains(SIDECAR_UID + ":" + APP_PORT + " v6 accepted")
        .contains(OTHER_UID + ":" + APP_PORT + " v6 refused");
  }

  @Test
  void printWritesOneReplaceableTableNamingThePortsAndUids() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int status = LoopbackGuard.run(
        new String[] {"loopback-guard", "--app-port", "8080", "--app-port", "8443", "--sidecar-uid", "65532", "--allow-uid", "1000", "--print"},
        Map.of("PATH", fakePath(true)), new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
    assertThat(status).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("delete table inet gatehouse_loopback_guard")
        .contains("tcp dport { 8080, 8443 } ct state new meta skuid { 65532, 1000 } accept")
        .contains("tcp dport { 8080, 8443 } ct state new reject with tcp reset");
  }

  @Test
  void withoutNftTheRulesAreIptables() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LoopbackGuard.run(new String[] {"loopback-guard", "--app-port", "8080", "--sidecar-uid", "65532", "--print"}, Map.of("PATH", fakePath(false)),
        new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("iptables -w -A GATEHOUSE_LOOPBACK -m owner --uid-owner 65532 -j RETURN")
        .contains("ip6tables -w -A GATEHOUSE_LOOPBACK -j REJECT --reject-with tcp-reset")
        .contains("iptables -w -I OUTPUT -o lo -p tcp -m multiport --dports 8080 -m conntrack --ctstate NEW -j GATEHOUSE_LOOPBACK");
  }

  @Test
  void badCommandLinesAreStatus2() {
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    assertThat(LoopbackGuard.run(new String[] {"loopback-guard", "--app-port", "8080", "--print"}, Map.of(), quiet, quiet)).isEqualTo(2);
    assertThat(LoopbackGuard.run(new String[] {"loopback-guard", "--app-port", "0", "--sidecar-uid", "1", "--print"}, Map.of(), quiet, quiet)).isEqualTo(2);
    assertThat(LoopbackGuard.run(new String[] {"loopback-guard", "--app-port", "80", "--sidecar-uid", "x", "--apply"}, Map.of(), quiet, quiet)).isEqualTo(2);
    assertThat(LoopbackGuard.run(new String[] {"loopback-guard", "--app-port", "80", "--sidecar-uid", "1", "--print", "--apply"}, Map.of(), quiet, quiet)).isEqualTo(2);
    assertThat(LoopbackGuard.run(new String[] {"loopback-guard", "--app-port", "80", "--sidecar-uid", "1"}, Map.of(), quiet, quiet)).isEqualTo(2);
  }

  /** A PATH holding an executable nft, or none. */
  private String fakePath(boolean nft) {
    try {
      Path bin = Files.createDirectories(directory.resolve(nft ? "with-nft" : "without-nft"));
      if (nft) {
        Path tool = Files.writeString(bin.resolve("nft"), "#!/bin/sh\n");
        tool.toFile().setExecutable(true);
      }
      return bin.toString();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static boolean onPath(String tool) {
    for (String directory : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
      if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, tool))) {
        return true;
      }
    }
    return false;
  }

  private static Process run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getInputStream().readAllBytes();
    process.waitFor(30, TimeUnit.SECONDS);
    return process;
  }
}
