package dev.gatehouse.sidecar.inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * A YAML mapping node read and changed by key, in place, so that the comments and styles of everything around a
 * change stay as they were. A key that is absent, or present with a {@code null} value, reads as empty.
 */
final class YamlMap {

  private final MappingNode node;

  YamlMap(MappingNode node) {
    this.node = node;
  }

  static Optional<YamlMap> of(Node node) {
    return node instanceof MappingNode mapping ? Optional.of(new YamlMap(mapping)) : Optional.empty();
  }

  MappingNode node() {
    return node;
  }

  Optional<Node> get(String key) {
    for (NodeTuple tuple : node.getValue()) {
      if (tuple.getKeyNode() instanceof ScalarNode scalar && scalar.getValue().equals(key)) {
        Node value = tuple.getValueNode();
        return value instanceof ScalarNode nullable && nullable.getTag().equals(Tag.NULL) ? Optional.empty() : Optional.of(value);
      }
    }
    return Optional.empty();
  }

  Optional<YamlMap> map(String key) {
    return get(key).flatMap(YamlMap::of);
  }

  /** The items of a sequence value; empty when the key is absent or not a sequence. */
  List<Node> items(String key) {
    return get(key).filter(SequenceNode.class::isInstance).map(value -> ((SequenceNode) value).getValue()).orElse(List.of());
  }

  List<YamlMap> maps(String key) {
    List<YamlMap> maps = new ArrayList<>();
    for (Node item : items(key)) {
      of(item).ifPresent(maps::add);
    }
    return maps;
  }

  /** A scalar value as written (numbers too); empty for absent keys and non-scalars. */
  Optional<String> scalar(String key) {
    return get(key).filter(ScalarNode.class::isInstance).map(value -> ((ScalarNode) value).getValue());
  }

  Optional<Integer> integer(String key) {
    return get(key)
        .filter(value -> value instanceof ScalarNode scalar && scalar.getTag().equals(Tag.INT))
        .flatMap(
            value -> {
              try {
                return Optional.of(Integer.parseInt(((ScalarNode) value).getValue()));
              } catch (NumberFormatException e) {
                return Optional.empty();
              }
            });
  }

  boolean isTrue(String key) {
    return get(key).filter(value -> value instanceof ScalarNode scalar && scalar.getTag().equals(Tag.BOOL)).map(value -> ((ScalarNode) value).getValue()).map(Boolean::parseBoolean).orElse(false);
  }

  /** Replaces the value of a key where it stands, or appends the key. */
  void put(String key, Node value) {
    List<NodeTuple> tuples = node.getValue();
    for (int i = 0; i < tuples.size(); i++) {
      if (tuples.get(i).getKeyNode() instanceof ScalarNode scalar && scalar.getValue().equals(key)) {
        tuples.set(i, new NodeTuple(tuples.get(i).getKeyNode(), value));
        return;
      }
    }
    tuples.add(new NodeTuple(ManifestStream.node(key), value));
  }

  void put(String key, Object data) {
    put(key, ManifestStream.node(data));
  }

  /** The mapping under a key, made (empty, block style) if it is absent or null. */
  YamlMap mapAt(String key) {
    Optional<YamlMap> existing = map(key);
    if (existing.isPresent()) {
      return existing.get();
    }
    MappingNode created = new MappingNode(Tag.MAP, new ArrayList<>(), FlowStyle.BLOCK);
    put(key, created);
    return new YamlMap(created);
  }

  /** The sequence under a key, made (empty, block style) if it is absent or null. */
  List<Node> itemsAt(String key) {
    Optional<Node> existing = get(key);
    if (existing.isPresent() && existing.get() instanceof SequenceNode sequence) {
      if (sequence.getValue().isEmpty()) {
        // "[]" would stay a flow sequence with our block entries inside it.
        SequenceNode block = new SequenceNode(Tag.SEQ, new ArrayList<>(), FlowStyle.BLOCK);
        put(key, block);
        return block.getValue();
      }
      return sequence.getValue();
    }
    SequenceNode created = new SequenceNode(Tag.SEQ, new ArrayList<>(), FlowStyle.BLOCK);
    put(key, created);
    return created.getValue();
  }
}
