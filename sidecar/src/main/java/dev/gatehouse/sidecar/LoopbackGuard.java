package dev.gatehouse.sidecar;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code gatehouse-sidecar loopback-guard}: kernel rules that let only the sidecar's user id (and any allowed one)
 * open TCP connections to the application's ports over the loopback interface, for applications that embed nothing and
 * so cannot verify the sidecar's assertion. Containers of a pod share one network namespace, and NetworkPolicies do
 * not apply to loopback; this is what istio-init does with the iptables owner match, as an init container with
 * CAP_NET_ADMIN.
 *
 * <p>The rules are nftables ({@code nft}), or iptables (the iptables-nft front end on current distributions) where
 * {@code nft} is missing. They match in the {@code output} hook, where a locally opened connection's first packet still
 * carries the socket's owner: new TCP connections leaving through {@code lo} (which is how every connection to
 * 127.0.0.0/8, ::1 and the pod's own addresses travels) to an application port are accepted from the allowed user ids
 * and answered with a TCP reset for everyone else. Only new connections are matched: the later packets of an accepted
 * connection, and the kernel's own for sockets that are closing (which carry no owner), pass.
 *
 * <p>{@code --print} writes the rules; {@code --apply} loads them, replacing any earlier Gatehouse rules (in one nft
 * transaction, so there is no moment without them). Exit status 0 done, 1 the tool failed, 2 bad command line.
 */
final class LoopbackGuard {

  static final String HELP =
      """
      Usage: java -jar gatehouse-sidecar.jar loopback-guard --app-port PORT [--app-port PORT ...] \\
                 --sidecar-uid UID [--allow-uid UID ...] (--print | --apply)

      Lets only the sidecar's user id (and any --allow-uid, such as the application's own) open TCP connections to the
      application's ports over loopback (127.0.0.0/8, ::1 and the pod's own addresses); every other process in the pod
      gets a connection refused. --print writes the nftables rules (iptables commands where nft is missing); --apply
      loads them, which needs CAP_NET_ADMIN: run it in an init container, as istio-init does.

      Exit status: 0 done, 1 the rules could not be applied, 2 bad command line.
      """;

  /** The nftables table holding the rules; replaced as a whole on every apply. */
  static final String TABLE = "gatehouse_loopback_guard";

  /** The iptables chain holding the rules. */
  static final String CHAIN = "GATEHOUSE_LOOPBACK";

  /** The rules of one invocation. */
  record Rules(List<Integer> appPorts, Set<Long> allowedUids) {

    /** An nft script: one transaction that replaces the table. */
    String nft() {
      String ports = appPorts.stream().map(String::valueOf).collect(Collectors.joining(", "));
      String uids = allowedUids.stream().map(String::valueOf).collect(Collectors.joining(", "));
      return "# gatehouse loopback-guard: only uid " + uids + " may connect to port " + ports + " over loopback\n"
          // "add" then "delete" makes the replacement work whether or not the table exists yet.
          + "add table inet " + TABLE + "\n"
          + "delete table inet " + TABLE + "\n"
          + "table inet " + TABLE + " {\n"
          + "  chain output {\n"
          + "    type filter hook output priority filter; policy accept;\n"
          + "    oifname \"lo\" tcp dport { " + ports + " } ct state new meta skuid { " + uids + " } accept\n"
          + "    oifname \"lo\" tcp dport { " + ports + " } ct state new reject with tcp reset\n"
          + "  }\n"
          + "}\n";
    }

    /** The iptables and ip6tables commands, each as its arguments. */
    List<List<String>> iptables() {
      List<List<String>> commands = new ArrayList<>();
      String ports = appPorts.stream().map(String::valueOf).collect(Collectors.joining(","));
      for (String tool : List.of("iptables", "ip6tables")) {
        // Flush-or-create, then unhook any earlier jump, so that applying twice leaves one set of rules.
        commands.add(List.of(tool, "-w", "-N", CHAIN));
        commands.add(List.of(tool, "-w", "-F", CHAIN));
        commands.add(List.of(tool, "-w", "-D", "OUTPUT", "-o", "lo", "-p", "tcp", "-m", "multiport", "--dports", ports, "-m", "conntrack", "--ctstate", "NEW", "-j", CHAIN));
        for (long uid : allowedUids) {
          commands.add(List.of(tool, "-w", "-A", CHAIN, "-m", "owner", "--uid-owner", String.valueOf(uid), "-j", "RETURN"));
        }
        commands.add(List.of(tool, "-w", "-A", CHAIN, "-j", "REJECT", "--reject-with", "tcp-reset"));
        commands.add(List.of(tool, "-w", "-I", "OUTPUT", "-o", "lo", "-p", "tcp", "-m", "multiport", "--dports", ports, "-m", "conntrack", "--ctstate", "NEW", "-j", CHAIN));
      }
      return commands;
    }

    /** Commands whose failure only means there was nothing to remove or create. */
    static boolean mayFail(List<String> command) {
      return command.contains("-N") || command.contains("-D");
    }
  }

  private LoopbackGuard() {}

  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    List<Integer> ports = new ArrayList<>();
    Set<Long> uids = new LinkedHashSet<>();
    Long sidecarUid = null;
    Boolean apply = null;
    for (int i = 1; i < args.length; i++) {
      String flag = args[i];
      switch (flag) {
        case "--help", "-h" -> {
          out.print(HELP);
          return 0;
        }
        case "--print", "--apply" -> {
          if (apply != null) {
            return usage(err, "give --print or --apply, once");
          }
          apply = flag.equals("--apply");
        }
        case "--app-port", "--sidecar-uid", "--allow-uid" -> {
          if (i + 1 >= args.length) {
            return usage(err, flag + " needs a value");
          }
          String value = args[++i];
          try {
            if (flag.equals("--app-port")) {
              int port = Integer.parseInt(value);
              if (port < 1 || port > 65535) {
                return usage(err, "--app-port: not a port: " + value);
              }
              ports.add(port);
            } else {
              long uid = Long.parseLong(value);
              if (uid < 0 || uid > 0xFFFFFFFEL) {
                return usage(err, flag + ": not a user id: " + value);
              }
              if (flag.equals("--sidecar-uid")) {
                if (sidecarUid != null) {
                  return usage(err, "--sidecar-uid given twice");
                }
                sidecarUid = uid;
              }
              uids.add(uid);
            }
          } catch (NumberFormatException e) {
            return usage(err, flag + ": not a number: " + value);
          }
        }
        default -> {
          return usage(err, "unknown argument " + flag);
        }
      }
    }
    if (ports.isEmpty() || sidecarUid == null || apply == null) {
      return usage(err, "--app-port, --sidecar-uid and one of --print or --apply are required");
    }
    Rules rules = new Rules(List.copyOf(new LinkedHashSet<>(ports)), uids);
    boolean nft = onPath("nft", env);
    if (!apply) {
      if (nft) {
        out.print(rules.nft());
      } else {
        out.println("# gatehouse loopback-guard: nft is missing; iptables commands");
        for (List<String> command : rules.iptables()) {
          out.println(String.join(" ", command) + (Rules.mayFail(command) ? " || true" : ""));
        }
      }
      return 0;
    }
    try {
      if (nft) {
        execute(List.of("nft", "-f", "-"), rules.nft(), false);
      } else if (onPath("iptables", env)) {
        for (List<String> command : rules.iptables()) {
          execute(command, "", Rules.mayFail(command));
        }
      } else {
        err.println("gatehouse loopback-guard: neither nft nor iptables is on the PATH");
        return 1;
      }
    } catch (IOException e) {
      err.println("gatehouse loopback-guard: " + e.getMessage());
      return 1;
    }
    out.println("gatehouse loopback-guard: only uid " + uids.stream().map(String::valueOf).collect(Collectors.joining(", ")) + " may connect to port "
        + ports.stream().map(String::valueOf).collect(Collectors.joining(", ")) + " over loopback (" + (nft ? "nftables" : "iptables") + ")");
    return 0;
  }

  private static int usage(PrintStream err, String problem) {
    err.println("gatehouse loopback-guard: " + problem + " (see loopback-guard --help)");
    return 2;
  }

  private static boolean onPath(String tool, Map<String, String> env) {
    String path = env.getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    for (String directory : path.split(":")) {
      if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, tool))) {
        return true;
      }
    }
    return false;
  }

  /** Runs a tool; its output goes to ours, so the reason for a failure (say, no CAP_NET_ADMIN) is shown as it said it. */
  private static void execute(List<String> command, String input, boolean mayFail) throws IOException {
    Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(mayFail ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.INHERIT).start();
    try (OutputStream stdin = process.getOutputStream()) {
      stdin.write(input.getBytes(StandardCharsets.UTF_8));
    }
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException(command.get(0) + " did not finish within 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + command.get(0), e);
    }
    if (process.exitValue() != 0 && !mayFail) {
      throw new IOException(String.join(" ", command) + " failed with status " + process.exitValue());
    }
  }
}
