package dev.gatehouse.sidecar.inject;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code inject} adds to a pod, as plain data: the Gatehouse container, its volumes, and the NetworkPolicy. Every
 * number here is one that docs/kubernetes.md explains; change them together.
 */
final class SidecarSpec {

  static final String CONTAINER = "gatehouse";
  static final String PORT_NAME = "gatehouse";
  static final String ADMIN_PORT_NAME = "gatehouse-admin";
  static final String CONFIG_VOLUME = "gatehouse-config";
  static final String TMP_VOLUME = "gatehouse-tmp";
  static final String CONFIG_DIRECTORY = "/etc/gatehouse";
  static final String CONFIG_FILE = CONFIG_DIRECTORY + "/gatehouse.yaml";

  /** On the pod (template): marks the pod as injected, with the ports it was injected with. */
  static final String ANNOTATION = "gatehouse.dev/injected";

  static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
  static final String MANAGED_BY = "gatehouse-inject";

  /** The sidecar's defaults, passed explicitly so that the grace period below visibly covers them. */
  static final int DRAIN_DELAY_SECONDS = 5;

  static final int SHUTDOWN_TIMEOUT_SECONDS = 20;

  /**
   * A native sidecar is sent SIGTERM only once the app's containers have exited, so the pod's grace period must hold
   * the app's own exit first; 10 s for it, then the sidecar's drain delay and in-flight requests.
   */
  static final int APP_EXIT_ALLOWANCE_SECONDS = 10;

  static final int TERMINATION_GRACE_PERIOD_SECONDS = APP_EXIT_ALLOWANCE_SECONDS + DRAIN_DELAY_SECONDS + SHUTDOWN_TIMEOUT_SECONDS;

  static final int UID = 65532;

  private SidecarSpec() {}

  static String annotationValue(InjectOptions options) {
    return "port=" + options.port() + ",admin-port=" + options.adminPort() + ",app-port=" + options.appPort();
  }

  /** The sidecar port a pod was injected with, from its annotation's value. */
  static Optional<Integer> injectedPort(String annotationValue) {
    for (String part : annotationValue.split(",")) {
      if (part.startsWith("port=")) {
        try {
          return Optional.of(Integer.parseInt(part.substring("port=".length())));
        } catch (NumberFormatException e) {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }

  static Map<String, Object> container(InjectOptions options, List<String> jvmFlags) {
    Map<String, Object> container = new LinkedHashMap<>();
    container.put("name", CONTAINER);
    container.put("image", options.image());
    // An init container that keeps running: a native sidecar (Kubernetes 1.29+), started and probed before the app.
    container.put("restartPolicy", "Always");
    container.put(
        "args",
        List.of(
            "--config=" + CONFIG_FILE,
            "--listen=0.0.0.0:" + options.port(),
            "--upstream=http://127.0.0.1:" + options.appPort(),
            "--admin=0.0.0.0:" + options.adminPort(),
            "--log-format=json",
            "--access-log=stdout",
            "--drain-delay=" + DRAIN_DELAY_SECONDS,
            "--shutdown-timeout=" + SHUTDOWN_TIMEOUT_SECONDS));
    container.put("env", List.of(mapOf("name", "JDK_JAVA_OPTIONS", "value", JvmOptions.asEnvironmentValue(jvmFlags))));
    container.put(
        "ports",
        List.of(port(PORT_NAME, options.port()), port(ADMIN_PORT_NAME, options.adminPort())));
    // The startup probe asks /livez, not /readyz: readiness needs the app, and the app starts only after this passes.
    // 60 x 1 s: the JVM answers after 0.6-1.2 s on one core, much longer on a node that is short of CPU.
    container.put("startupProbe", probe("/livez", options.adminPort(), 1, 1, 60));
    container.put("readinessProbe", probe("/readyz", options.adminPort(), 5, 2, 2));
    // Liveness never depends on the app or an issuer: restarting the sidecar would not bring either back.
    container.put("livenessProbe", probe("/livez", options.adminPort(), 10, 2, 3));
    container.put("resources", resources());
    container.put("securityContext", securityContext());
    container.put(
        "volumeMounts",
        List.of(
            mapOf("name", CONFIG_VOLUME, "mountPath", CONFIG_DIRECTORY, "readOnly", true),
            // Netty unpacks its native epoll library into java.io.tmpdir; the root filesystem is read-only.
            mapOf("name", TMP_VOLUME, "mountPath", "/tmp")));
    return container;
  }

  /**
   * Requests and limits from the measurements in the README (sidecar/jvm.options, one core): RSS 96 MB idle and 136 MB
   * after load, 18.4 us of CPU per request.
   */
  private static Map<String, Object> resources() {
    return mapOf(
        "requests",
        // 160Mi covers the loaded RSS with ~20 % to spare; 100m carries about 5,000 requests a second.
        mapOf("cpu", "100m", "memory", "160Mi"),
        "limits",
        // 320Mi is above all the JVM may take under its flags (heap 64 + direct 64 + metaspace 64 + code cache 48 MiB,
        // plus stacks and the JVM's own): the JVM's bounds act before the kernel's OOM killer does. One CPU is what
        // was measured, and the JVM sizes its event loops from it.
        mapOf("cpu", "1", "memory", "320Mi"));
  }

  private static Map<String, Object> securityContext() {
    return mapOf(
        "runAsNonRoot", true,
        "runAsUser", UID,
        "runAsGroup", UID,
        "readOnlyRootFilesystem", true,
        "allowPrivilegeEscalation", false,
        "capabilities", mapOf("drop", List.of("ALL")),
        "seccompProfile", mapOf("type", "RuntimeDefault"));
  }

  static List<Map<String, Object>> volumes(String secretName) {
    return List.of(
        mapOf("name", CONFIG_VOLUME, "secret", mapOf("secretName", secretName)),
        // Disk-backed, so it does not count against the container's memory; the native library is ~100 KiB.
        mapOf("name", TMP_VOLUME, "emptyDir", mapOf("sizeLimit", "16Mi")));
  }

  /** Ingress to the pod only on the sidecar's port and the admin port, from anywhere. */
  static Map<String, Object> networkPolicy(String name, Optional<String> namespace, Object podSelector, InjectOptions options) {
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("name", name);
    namespace.ifPresent(value -> metadata.put("namespace", value));
    metadata.put("labels", mapOf(MANAGED_BY_LABEL, MANAGED_BY));
    return mapOf(
        "apiVersion", "networking.k8s.io/v1",
        "kind", "NetworkPolicy",
        "metadata", metadata,
        "spec",
        mapOf(
            "podSelector", podSelector,
            "policyTypes", List.of("Ingress"),
            "ingress", List.of(mapOf("ports", List.of(tcp(options.port()), tcp(options.adminPort()))))));
  }

  private static Map<String, Object> tcp(int port) {
    return mapOf("protocol", "TCP", "port", port);
  }

  private static Map<String, Object> port(String name, int number) {
    return mapOf("name", name, "containerPort", number, "protocol", "TCP");
  }

  private static Map<String, Object> probe(String path, int port, int periodSeconds, int timeoutSeconds, int failureThreshold) {
    return mapOf(
        "httpGet", mapOf("path", path, "port", port),
        "periodSeconds", periodSeconds,
        "timeoutSeconds", timeoutSeconds,
        "failureThreshold", failureThreshold);
  }

  /** An insertion-ordered map of key-value pairs, so that what is written reads in a fixed, deliberate order. */
  private static Map<String, Object> mapOf(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }
}
