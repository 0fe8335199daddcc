package dev.gatehouse.sidecar.inject;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.nodes.Node;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks manifests against the Kubernetes API types, as fabric8's generated model declares them (from the Kubernetes
 * OpenAPI schema): every document is read into its typed class, and it fails on a field the type does not have (fabric8
 * keeps those in {@code additionalProperties}, so every object of the graph is walked and those required empty) and on
 * a value of the wrong type (the typed object, written back, must be the same data: a string where a number belongs
 * either fails to read or comes back different).
 */
final class KubernetesTypes {

  private static final Map<String, Class<?>> TYPES =
      Map.of(
          "apps/v1 Deployment", Deployment.class,
          "apps/v1 StatefulSet", StatefulSet.class,
          "apps/v1 DaemonSet", DaemonSet.class,
          "v1 Pod", Pod.class,
          "v1 Service", Service.class,
          "v1 ConfigMap", ConfigMap.class,
          "v1 Secret", Secret.class,
          "networking.k8s.io/v1 NetworkPolicy", NetworkPolicy.class);

  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private KubernetesTypes() {}

  /** Checks every document of a manifest stream; returns how many were checked. */
  static int check(String manifests) {
    int checked = 0;
    for (ManifestStream.Chunk chunk : ManifestStream.split(manifests)) {
      for (Node node : ManifestStream.parse(chunk.text())) {
        Object data = ManifestStream.data(node);
        if (data == null) {
          continue;
        }
        checked++;
        check(data, "document " + checked);
      }
    }
    return checked;
  }

  static void check(Object data, String where) {
    if (!(data instanceof Map<?, ?> map)) {
      throw new AssertionError(where + ": not a mapping");
    }
    String type = map.get("apiVersion") + " " + map.get("kind");
    Class<?> typeClass = TYPES.get(type);
    if (typeClass == null) {
      throw new AssertionError(where + ": no API type known for " + type);
    }
    Object typed;
    try {
      typed = MAPPER.convertValue(data, typeClass);
    } catch (RuntimeException e) {
      throw new AssertionError(where + " (" + type + ") does not read as " + typeClass.getSimpleName() + ": " + e.getMessage(), e);
    }
    List<String> unknown = new ArrayList<>();
    unknownFields(typed, map.get("kind").toString(), unknown);
    if (!unknown.isEmpty()) {
      throw new AssertionError(where + " (" + type + ") has fields the API type does not: " + unknown);
    }
    Object written = withoutAddedTypeFields(MAPPER.convertValue(typed, Map.class), data);
    if (!normalized(written).equals(normalized(data))) {
      throw new AssertionError(where + " (" + type + ") changes when read as " + typeClass.getSimpleName() + " (a value of the wrong type?):\n  was  " + normalized(data) + "\n  read " + normalized(written));
    }
  }

  private static void unknownFields(Object value, String path, List<String> unknown) {
    if (value == null) {
      return;
    }
    if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        unknownFields(list.get(i), path + "[" + i + "]", unknown);
      }
      return;
    }
    if (value instanceof Map<?, ?> map) {
      map.forEach((key, item) -> unknownFields(item, path + "." + key, unknown));
      return;
    }
    if (!value.getClass().getName().startsWith("io.fabric8.")) {
      return;
    }
    for (Class<?> type = value.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
      for (Field field : type.getDeclaredFields()) {
        if (Modifier.isStatic(field.getModifiers())) {
          continue;
        }
        field.setAccessible(true);
        Object fieldValue;
        try {
          fieldValue = field.get(value);
        } catch (IllegalAccessException e) {
          throw new AssertionError(e);
        }
        if (field.getName().equals("additionalProperties")) {
          if (fieldValue instanceof Map<?, ?> extra && !extra.isEmpty()) {
            extra.keySet().forEach(key -> unknown.add(path + "." + key));
          }
        } else {
          unknownFields(fieldValue, path + "." + field.getName(), unknown);
        }
      }
    }
  }

  /**
   * The written data without the {@code apiVersion} and {@code kind} the model fills in for embedded resources (a
   * StatefulSet's volumeClaimTemplates) where the manifest left them out, as Kubernetes does.
   */
  private static Object withoutAddedTypeFields(Object written, Object original) {
    if (written instanceof Map<?, ?> map && original instanceof Map<?, ?> before) {
      Map<Object, Object> copy = new LinkedHashMap<>();
      map.forEach(
          (key, value) -> {
            if (!before.containsKey(key) && (key.equals("apiVersion") || key.equals("kind"))) {
              return;
            }
            copy.put(key, withoutAddedTypeFields(value, before.get(key)));
          });
      return copy;
    }
    if (written instanceof List<?> list && original instanceof List<?> before && list.size() == before.size()) {
      List<Object> copy = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        copy.add(withoutAddedTypeFields(list.get(i), before.get(i)));
      }
      return copy;
    }
    return written;
  }

  /** Nulls, empty lists and empty maps dropped, as the typed model writes them. */
  private static Object normalized(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach(
          (key, item) -> {
            Object normal = normalized(item);
            if (normal != null) {
              copy.put(String.valueOf(key), normal);
            }
          });
      return copy.isEmpty() ? null : new java.util.TreeMap<>(copy);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>();
      for (Object item : list) {
        copy.add(normalized(item));
      }
      return copy.isEmpty() ? null : copy;
    }
    if (value instanceof Long number && number >= Integer.MIN_VALUE && number <= Integer.MAX_VALUE) {
      return number.intValue();
    }
    return value;
  }
}
