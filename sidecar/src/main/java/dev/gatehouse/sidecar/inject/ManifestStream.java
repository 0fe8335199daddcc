package dev.gatehouse.sidecar.inject;

import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.StreamDataWriter;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.constructor.StandardConstructor;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.representer.StandardRepresenter;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * A multi-document YAML stream cut into its documents, each kept as the exact text it was written as.
 *
 * <p>The cut is textual, at each line that starts with {@code ---}: YAML forbids such a line inside any scalar (it is
 * a document marker wherever it appears), so this is where a parser would cut too. Keeping each document's text lets
 * {@link Injector} copy a document it does not change byte for byte, which is what makes injecting twice change
 * nothing and keeps the comments, quoting and layout of everything it leaves alone. A document it changes is written
 * back from its node tree, comments included (SnakeYAML Engine keeps them), in kubectl's layout.
 */
final class ManifestStream {

  private static final Pattern DOCUMENT_START = Pattern.compile("^---(?=[ \\t]|$)", Pattern.MULTILINE);

  /** One document's text from its {@code ---} line (if it has one) up to the next one, line ends included. */
  record Chunk(String text, boolean explicitStart) {}

  private ManifestStream() {}

  static List<Chunk> split(String source) {
    List<Chunk> chunks = new ArrayList<>();
    var matcher = DOCUMENT_START.matcher(source);
    int start = 0;
    boolean explicit = false;
    while (matcher.find()) {
      if (matcher.start() > start || explicit) {
        chunks.add(new Chunk(source.substring(start, matcher.start()), explicit));
      }
      start = matcher.start();
      explicit = true;
    }
    if (start < source.length() || explicit) {
      chunks.add(new Chunk(source.substring(start), explicit));
    }
    return chunks;
  }

  private static LoadSettings loadSettings() {
    return LoadSettings.builder().setParseComments(true).setSchema(new CoreSchema()).setAllowDuplicateKeys(false).build();
  }

  private static DumpSettings dumpSettings() {
    // kubectl's layout: two-space indent, sequences not indented under their key, block style for what we add.
    return DumpSettings.builder()
        .setDumpComments(true)
        .setSchema(new CoreSchema())
        .setDefaultFlowStyle(FlowStyle.BLOCK)
        .setIndent(2)
        .setIndicatorIndent(0)
        .setWidth(Integer.MAX_VALUE)
        .setSplitLines(false)
        .build();
  }

  /**
   * The documents of one chunk: none for a chunk of comments only, one normally.
   *
   * @throws YamlEngineException if the text is not YAML
   */
  static List<Node> parse(String chunk) {
    List<Node> nodes = new ArrayList<>();
    Iterator<Node> iterator = new Compose(loadSettings()).composeAllFromString(chunk).iterator();
    while (iterator.hasNext()) {
      Node node = iterator.next();
      // With comments parsed, a stream of comments alone composes to a comment node: no document.
      if (!node.getTag().equals(Tag.COMMENT)) {
        nodes.add(node);
      }
    }
    return nodes;
  }

  /** The plain data of a node (maps, lists, strings, numbers, booleans, nulls): what Kubernetes would read. */
  static Object data(Node node) {
    return new StandardConstructor(loadSettings()).constructSingleDocument(Optional.of(node));
  }

  /** A node for plain data, to be placed in a document. */
  static Node node(Object data) {
    // A representer per call: one that is reused would turn a repeated object into a YAML alias.
    return new StandardRepresenter(dumpSettings()).represent(data);
  }

  /** The text of a document's node tree, without a {@code ---} line, ending with a line end. */
  static String dump(Node node) {
    StringWriter text = new StringWriter();
    new Dump(dumpSettings())
        .dumpNode(
            node,
            new StreamDataWriter() {
              @Override
              public void write(String string) {
                text.write(string);
              }

              @Override
              public void write(String string, int offset, int length) {
                text.write(string, offset, length);
              }
            });
    String dumped = text.toString();
    // The emitter indents the blank lines it keeps; drop that whitespace unless it was part of a value.
    String tidy = dumped.replaceAll("(?m)^[ \\t]+$", "");
    if (!tidy.equals(dumped) && !sameData(tidy, node)) {
      return dumped;
    }
    return tidy;
  }

  private static boolean sameData(String text, Node node) {
    List<Node> parsed = parse(text);
    return parsed.size() == 1 && java.util.Objects.equals(data(parsed.get(0)), data(node));
  }
}
