package dev.gatehouse.sidecar.inject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Turns a multi-document manifest into a guarded one: Gatehouse as a native sidecar in every Deployment, StatefulSet,
 * DaemonSet and Pod, their Services pointed at it, and a NetworkPolicy per workload.
 *
 * <p>Two passes: the first reads every document and refuses the whole input at the first one it cannot guard, so
 * nothing is written for a half-guarded input; the second changes the documents in place. A document whose data the
 * second pass leaves as it was is copied as its original text, so injecting already-injected output changes nothing,
 * byte for byte, and documents of other kinds pass through untouched.
 */
final class Injector {

  private static final Set<String> APPS_WORKLOADS = Set.of("Deployment", "StatefulSet", "DaemonSet");

  private final InjectOptions options;
  private final List<String> jvmFlags;

  Injector(InjectOptions options, List<String> jvmFlags) {
    this.options = options;
    this.jvmFlags = List.copyOf(jvmFlags);
  }

  /** One YAML document of the input: its text and, unless it held only comments, its root node. */
  private record Document(int index, ManifestStream.Chunk chunk, Optional<Node> root) {
    Optional<YamlMap> map() {
      return root.flatMap(YamlMap::of);
    }

    String kind() {
      return map().flatMap(map -> map.scalar("kind")).orElse("");
    }

    Optional<String> name() {
      return map().flatMap(map -> map.map("metadata")).flatMap(metadata -> metadata.scalar("name"));
    }

    Optional<String> namespace() {
      return map().flatMap(map -> map.map("metadata")).flatMap(metadata -> metadata.scalar("namespace"));
    }

    String label() {
      return kind() + "/" + name().orElse("?") + " (document " + index + ")";
    }
  }

  /** A workload to guard, read in the first pass. */
  private record Workload(
      Document document,
      Object before,
      YamlMap podMetadata,
      YamlMap podSpec,
      Map<String, String> podLabels,
      Object podSelector,
      Optional<Integer> injectedPort,
      Map<String, Integer> namedPorts) {

    String secretName(InjectOptions options) {
      return options.configSecret().orElse(document.name().orElseThrow() + "-gatehouse");
    }

    String networkPolicyName() {
      return document.name().orElseThrow() + "-gatehouse";
    }

    Optional<String> namespace() {
      return document.namespace();
    }
  }

  private record Key(Optional<String> namespace, String name) {}

  String inject(String source) throws InjectRefusal {
    List<Document> documents = read(source);
    List<Workload> workloads = new ArrayList<>();
    Map<Key, Document> networkPolicies = new HashMap<>();
    for (Document document : documents) {
      if (document.map().isEmpty()) {
        continue;
      }
      String kind = document.kind();
      if (APPS_WORKLOADS.contains(kind) || kind.equals("Pod")) {
        workloads.add(workload(document));
      } else if (kind.equals("NetworkPolicy") && document.name().isPresent()) {
        networkPolicies.put(new Key(document.namespace(), document.name().get()), document);
      } else if (kind.equals("List") || kind.endsWith("List")) {
        refuseListOfWorkloads(document);
      }
    }
    Map<Key, Workload> policyOwners = new LinkedHashMap<>();
    for (Workload workload : workloads) {
      Key key = new Key(workload.namespace(), workload.networkPolicyName());
      Workload previous = policyOwners.putIfAbsent(key, workload);
      if (previous != null) {
        throw refusal(workload.document(), "its NetworkPolicy would be " + key.name() + ", as for " + previous.document().label() + "; rename one of them");
      }
      Document existing = networkPolicies.get(key);
      if (existing != null && !isOurs(existing)) {
        throw refusal(existing, "a NetworkPolicy of this name exists and inject did not make it (no " + SidecarSpec.MANAGED_BY_LABEL + ": " + SidecarSpec.MANAGED_BY + " label); inject would add its own for " + workload.document().label());
      }
    }
    // By identity: two documents may read alike.
    Map<Document, Workload> workloadOf = new IdentityHashMap<>();
    workloads.forEach(workload -> workloadOf.put(workload.document(), workload));
    Map<Document, Workload> policyOf = new IdentityHashMap<>();
    policyOwners.forEach((key, workload) -> Optional.ofNullable(networkPolicies.get(key)).ifPresent(document -> policyOf.put(document, workload)));

    StringBuilder out = new StringBuilder();
    for (Document document : documents) {
      Workload workload = workloadOf.get(document);
      Workload policyFor = policyOf.get(document);
      if (workload != null) {
        guard(workload);
        append(out, document, workload.before());
        if (!networkPolicies.containsKey(new Key(workload.namespace(), workload.networkPolicyName()))) {
          appendNew(out, networkPolicy(workload));
        }
      } else if (policyFor != null) {
        Object expected = networkPolicy(policyFor);
        if (Objects.equals(ManifestStream.data(document.root().orElseThrow()), expected)) {
          out.append(document.chunk().text());
        } else {
          appendDumped(out, document.chunk().explicitStart(), ManifestStream.node(expected));
        }
      } else if (document.kind().equals("Service") && document.map().isPresent()) {
        Object before = ManifestStream.data(document.root().orElseThrow());
        retarget(document, workloads);
        append(out, document, before);
      } else {
        out.append(document.chunk().text());
      }
    }
    return out.toString();
  }

  private static List<Document> read(String source) throws InjectRefusal {
    List<Document> documents = new ArrayList<>();
    int index = 0;
    for (ManifestStream.Chunk chunk : ManifestStream.split(source)) {
      List<Node> nodes;
      try {
        nodes = ManifestStream.parse(chunk.text());
      } catch (YamlEngineException e) {
        throw new InjectRefusal("document " + (index + 1) + ": not valid YAML: " + oneLine(e.getMessage()));
      }
      if (nodes.size() > 1) {
        throw new InjectRefusal("document " + (index + 1) + ": several documents without a --- line between them");
      }
      if (!nodes.isEmpty()) {
        index++;
      }
      documents.add(new Document(index, chunk, nodes.stream().findFirst()));
    }
    return documents;
  }

  private Workload workload(Document document) throws InjectRefusal {
    YamlMap root = document.map().orElseThrow();
    // Read before anything below adds an empty metadata mapping to the tree.
    Object before = ManifestStream.data(document.root().orElseThrow());
    String kind = document.kind();
    String expectedApiVersion = kind.equals("Pod") ? "v1" : "apps/v1";
    String apiVersion = root.scalar("apiVersion").orElse("");
    if (!apiVersion.equals(expectedApiVersion)) {
      throw refusal(document, "apiVersion " + (apiVersion.isEmpty() ? "missing" : apiVersion) + "; inject knows " + kind + " as " + expectedApiVersion);
    }
    if (document.name().isEmpty()) {
      throw refusal(document, "no metadata.name, which the Secret's and NetworkPolicy's names are made from");
    }
    YamlMap podMetadata;
    YamlMap podSpec;
    Object podSelector;
    if (kind.equals("Pod")) {
      podMetadata = root.mapAt("metadata");
      podSpec = root.map("spec").orElseThrow(() -> refusal(document, "no spec"));
      Object labels = podMetadata.get("labels").map(ManifestStream::data).orElse(Map.of());
      if (!(labels instanceof Map<?, ?> map) || map.isEmpty()) {
        throw refusal(document, "no metadata.labels, so no NetworkPolicy can select this pod alone; add a label");
      }
      podSelector = Map.of("matchLabels", labels);
    } else {
      YamlMap spec = root.map("spec").orElseThrow(() -> refusal(document, "no spec"));
      Object selector = spec.get("selector").map(ManifestStream::data).orElse(Map.of());
      if (!(selector instanceof Map<?, ?> map) || (isEmpty(map.get("matchLabels")) && isEmpty(map.get("matchExpressions")))) {
        throw refusal(document, "no spec.selector, so no NetworkPolicy can select its pods");
      }
      podSelector = selector;
      YamlMap template = spec.map("template").orElseThrow(() -> refusal(document, "no spec.template"));
      podMetadata = template.mapAt("metadata");
      podSpec = template.map("spec").orElseThrow(() -> refusal(document, "no spec.template.spec"));
    }
    Map<String, String> podLabels = new LinkedHashMap<>();
    if (podMetadata.get("labels").map(ManifestStream::data).orElse(Map.of()) instanceof Map<?, ?> labels) {
      labels.forEach((key, value) -> podLabels.put(String.valueOf(key), String.valueOf(value)));
    }
    Optional<String> annotation = podMetadata.map("annotations").flatMap(annotations -> annotations.scalar(SidecarSpec.ANNOTATION));
    boolean injected = annotation.isPresent();

    if (podSpec.isTrue("hostNetwork")) {
      throw refusal(document, "hostNetwork: true; the sidecar's ports would be the node's, and no NetworkPolicy applies to the pod");
    }
    List<YamlMap> containers = podSpec.maps("containers");
    if (containers.isEmpty()) {
      throw refusal(document, "no containers");
    }
    Map<String, Integer> namedPorts = new HashMap<>();
    boolean appListens = false;
    for (YamlMap container : containers) {
      String name = container.scalar("name").orElse("");
      if (name.equals(SidecarSpec.CONTAINER)) {
        throw refusal(document, "a container named " + SidecarSpec.CONTAINER + " is in containers; inject adds its own as an init container, so rename that one");
      }
      appListens |= checkPorts(document, container, namedPorts);
    }
    for (YamlMap container : podSpec.maps("initContainers")) {
      if (container.scalar("name").orElse("").equals(SidecarSpec.CONTAINER)) {
        if (!injected) {
          throw refusal(document, "an init container named " + SidecarSpec.CONTAINER + " exists that inject did not add (no " + SidecarSpec.ANNOTATION + " annotation); rename it");
        }
        continue;
      }
      checkPorts(document, container, new HashMap<>());
    }
    if (!appListens) {
      throw refusal(document, "no container declares containerPort " + options.appPort() + " (--app-port), where the sidecar would forward to; declare the app's port or pass --app-port");
    }
    for (YamlMap volume : podSpec.maps("volumes")) {
      String name = volume.scalar("name").orElse("");
      if (!injected && (name.equals(SidecarSpec.CONFIG_VOLUME) || name.equals(SidecarSpec.TMP_VOLUME))) {
        throw refusal(document, "a volume named " + name + " exists that inject did not add; rename it");
      }
    }
    return new Workload(document, before, podMetadata, podSpec, podLabels, podSelector, annotation.flatMap(SidecarSpec::injectedPort), namedPorts);
  }

  /** Refuses a container whose ports clash with the sidecar's; says whether it listens on the app port. */
  private boolean checkPorts(Document document, YamlMap container, Map<String, Integer> namedPorts) throws InjectRefusal {
    boolean app = false;
    String containerName = container.scalar("name").orElse("?");
    for (YamlMap port : container.maps("ports")) {
      Optional<Integer> number = port.integer("containerPort");
      Optional<String> name = port.scalar("name");
      if (number.isPresent() && (number.get() == options.port() || number.get() == options.adminPort())) {
        String flag = number.get() == options.port() ? "--port" : "--admin-port";
        throw refusal(document, "container " + containerName + " already declares containerPort " + number.get() + ", which the sidecar would use (" + flag + "); pass another " + flag);
      }
      if (name.isPresent() && (name.get().equals(SidecarSpec.PORT_NAME) || name.get().equals(SidecarSpec.ADMIN_PORT_NAME))) {
        throw refusal(document, "container " + containerName + " already has a port named " + name.get() + ", a name the sidecar's port needs; rename it");
      }
      if (number.isPresent()) {
        name.ifPresent(value -> namedPorts.put(value, number.get()));
        app |= number.get() == options.appPort();
      }
    }
    return app;
  }

  private void guard(Workload workload) {
    YamlMap podSpec = workload.podSpec();
    Node container = ManifestStream.node(SidecarSpec.container(options, jvmFlags));
    List<Node> initContainers = podSpec.itemsAt("initContainers");
    int ours = indexOfNamed(initContainers, SidecarSpec.CONTAINER);
    if (ours >= 0) {
      initContainers.set(ours, container);
    } else {
      // After the app's own init containers, so that they run as before; the sidecar starts when they are done.
      initContainers.add(container);
    }
    List<Node> volumes = podSpec.itemsAt("volumes");
    for (Object volume : SidecarSpec.volumes(workload.secretName(options))) {
      Node node = ManifestStream.node(volume);
      int existing = indexOfNamed(volumes, (String) ((Map<?, ?>) volume).get("name"));
      if (existing >= 0) {
        volumes.set(existing, node);
      } else {
        volumes.add(node);
      }
    }
    Optional<Integer> grace = podSpec.integer("terminationGracePeriodSeconds");
    if (grace.isEmpty() || grace.get() < SidecarSpec.TERMINATION_GRACE_PERIOD_SECONDS) {
      podSpec.put("terminationGracePeriodSeconds", SidecarSpec.TERMINATION_GRACE_PERIOD_SECONDS);
    }
    workload.podMetadata().mapAt("annotations").put(SidecarSpec.ANNOTATION, SidecarSpec.annotationValue(options));
  }

  private Object networkPolicy(Workload workload) {
    return SidecarSpec.networkPolicy(workload.networkPolicyName(), workload.namespace(), workload.podSelector(), options);
  }

  /** Points the ports of a Service that selects guarded pods at the sidecar, and refuses ports it would block. */
  private void retarget(Document document, List<Workload> workloads) throws InjectRefusal {
    YamlMap service = document.map().orElseThrow();
    Optional<YamlMap> spec = service.map("spec");
    Object selectorData = spec.flatMap(value -> value.get("selector")).map(ManifestStream::data).orElse(Map.of());
    if (!(selectorData instanceof Map<?, ?> selector) || selector.isEmpty()) {
      return;
    }
    List<Workload> selected = new ArrayList<>();
    for (Workload workload : workloads) {
      boolean matches = workload.namespace().equals(document.namespace());
      for (Map.Entry<?, ?> entry : selector.entrySet()) {
        matches &= String.valueOf(entry.getValue()).equals(workload.podLabels().get(String.valueOf(entry.getKey())));
      }
      if (matches) {
        selected.add(workload);
      }
    }
    if (selected.isEmpty()) {
      return;
    }
    for (YamlMap port : spec.get().maps("ports")) {
      Optional<Node> targetNode = port.get("targetPort").or(() -> port.get("port"));
      if (targetNode.isEmpty() || !(targetNode.get() instanceof ScalarNode target)) {
        continue;
      }
      String shown = port.scalar("name").map(name -> "port " + name).orElse("port " + port.scalar("port").orElse("?"));
      Optional<Integer> number = Optional.empty();
      if (target.getTag().equals(Tag.INT)) {
        number = port.get("targetPort").isPresent() ? port.integer("targetPort") : port.integer("port");
      } else if (target.getValue().equals(SidecarSpec.PORT_NAME)) {
        number = Optional.of(options.port());
      } else if (target.getValue().equals(SidecarSpec.ADMIN_PORT_NAME)) {
        number = Optional.of(options.adminPort());
      } else {
        for (Workload workload : selected) {
          number = number.or(() -> Optional.ofNullable(workload.namedPorts().get(target.getValue())));
        }
      }
      if (number.isEmpty()) {
        throw refusal(document, shown + " targets " + target.getValue() + ", which no container of " + selected.get(0).document().label() + " declares");
      }
      int targetPort = number.get();
      boolean app = targetPort == options.appPort();
      for (Workload workload : selected) {
        app |= workload.injectedPort().filter(previous -> previous == targetPort && previous != options.port()).isPresent();
      }
      if (app) {
        port.put("targetPort", options.port());
      } else if (targetPort != options.port() && targetPort != options.adminPort()) {
        throw refusal(
            document,
            shown + " targets " + target.getValue() + ", which the NetworkPolicy would block (it admits only the sidecar's " + options.port() + " and " + options.adminPort() + "); point it at the app's port " + options.appPort() + " or remove it");
      }
    }
  }

  private static void refuseListOfWorkloads(Document document) throws InjectRefusal {
    for (Node item : document.map().orElseThrow().items("items")) {
      String kind = YamlMap.of(item).flatMap(map -> map.scalar("kind")).orElse("");
      if (APPS_WORKLOADS.contains(kind) || kind.equals("Pod") || kind.equals("Service")) {
        throw refusal(document, "a " + document.kind() + " holding a " + kind + "; give each object a document of its own (kubectl get -o yaml prints a List for several objects)");
      }
    }
  }

  private static boolean isEmpty(Object value) {
    return value == null || (value instanceof Map<?, ?> map && map.isEmpty()) || (value instanceof List<?> list && list.isEmpty());
  }

  private static boolean isOurs(Document networkPolicy) {
    return networkPolicy
        .map()
        .flatMap(map -> map.map("metadata"))
        .flatMap(metadata -> metadata.map("labels"))
        .flatMap(labels -> labels.scalar(SidecarSpec.MANAGED_BY_LABEL))
        .filter(SidecarSpec.MANAGED_BY::equals)
        .isPresent();
  }

  private static int indexOfNamed(List<Node> items, String name) {
    for (int i = 0; i < items.size(); i++) {
      if (YamlMap.of(items.get(i)).flatMap(map -> map.scalar("name")).filter(name::equals).isPresent()) {
        return i;
      }
    }
    return -1;
  }

  /** The document as it was when its data did not change, else written from its changed tree. */
  private static void append(StringBuilder out, Document document, Object before) {
    Node root = document.root().orElseThrow();
    if (Objects.equals(before, ManifestStream.data(root))) {
      out.append(document.chunk().text());
    } else {
      appendDumped(out, document.chunk().explicitStart(), root);
    }
  }

  private static void appendDumped(StringBuilder out, boolean explicitStart, Node root) {
    if (explicitStart) {
      out.append("---\n");
    }
    out.append(ManifestStream.dump(root));
  }

  private static void appendNew(StringBuilder out, Object data) {
    if (out.length() > 0 && out.charAt(out.length() - 1) != '\n') {
      out.append('\n');
    }
    appendDumped(out, /* explicitStart= */ true, ManifestStream.node(data));
  }

  private static InjectRefusal refusal(Document document, String reason) {
    return new InjectRefusal(document.label() + ": " + reason);
  }

  private static String oneLine(String message) {
    return String.valueOf(message).replaceAll("\\s+", " ").strip();
  }
}
