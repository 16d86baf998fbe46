package org.jbert.core.config.yaml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jbert.core.JbertException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * YAML text to a Jackson tree, with anchors and aliases resolved. jackson-dataformat-yaml's parser hands an alias
 * ({@code *TR}) to databind as the string "TR" (YAMLParser.nextToken on an AliasEvent), so configs are composed with
 * SnakeYAML instead (the node graph, aliases pointing at their anchored node) and the graph is copied into the tree.
 *
 * <p>Limits, each a one-line error: SnakeYAML's {@code maxAliasesForCollections} (50 aliases of mappings or lists),
 * its nesting depth (50) and size (3 MB), a recursive alias, and {@link #MAX_VALUES} values after expansion (an alias
 * bomb). Scalars follow YAML 1.1 as Jackson reads them: null, true/false, integers (underscores, 0x, 0o, 0b), floats
 * (also {@code .inf}, {@code -.inf}, {@code .nan}); everything else, including {@code 1e-4} (a string in YAML 1.1),
 * is text. Merge keys ({@code <<: *BASE}) fill the keys a mapping does not set itself; a key written twice is an
 * error.
 */
public final class YamlTrees {
  /** The most values (mapping entries, list items, scalars) a document may expand to. */
  public static final int MAX_VALUES = 100_000;

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private YamlTrees() {}

  /** The document in {@code yaml} (null for an empty document); {@code source} names it in messages. */
  public static JsonNode parse(String yaml, String source) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    Node root;
    try {
      Composer composer = new Composer(new ParserImpl(new StreamReader(yaml), options), new Resolver(), options);
      root = composer.getSingleNode();
    } catch (MarkedYAMLException e) {
      throw invalid(source, e.getProblem(), e.getProblemMark());
    } catch (YAMLException e) {
      throw invalid(source, e.getMessage(), null);
    }
    return root == null ? null : new Copier(source).copy(root);
  }

  private static JbertException invalid(String source, String problem, Mark mark) {
    String where = mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
    return new JbertException(source + ": not valid YAML (" + String.valueOf(problem).replace('\n', ' ') + where + ")");
  }

  /** Copies a node graph into a tree, counting values and refusing cycles. */
  private static final class Copier {
    private final String source;
    private final Map<Node, Boolean> open = new IdentityHashMap<>();
    private int values;

    Copier(String source) {
      this.source = source;
    }

    JsonNode copy(Node n) {
      if (++values > MAX_VALUES) {
        throw invalid(source, "the document expands to more than " + MAX_VALUES + " values; an alias bomb?",
            n.getStartMark());
      }
      if (n instanceof ScalarNode s) return scalar(s);
      if (open.put(n, Boolean.TRUE) != null) {
        throw invalid(source, "alias *" + n.getAnchor() + " refers to a node that contains it", n.getStartMark());
      }
      try {
        if (n instanceof SequenceNode seq) {
          ArrayNode a = F.arrayNode();
          for (Node item : seq.getValue()) a.add(copy(item));
          return a;
        }
        return mapping((MappingNode) n);
      } finally {
        open.remove(n);
      }
    }

    private ObjectNode mapping(MappingNode m) {
      Map<String, JsonNode> own = new LinkedHashMap<>();
      Map<String, JsonNode> merged = new LinkedHashMap<>();
      for (NodeTuple t : m.getValue()) {
        Node k = t.getKeyNode();
        if (k.getTag().equals(Tag.MERGE)) {
          JsonNode base = copy(t.getValueNode());
          if (base.isObject()) {
            base.fields().forEachRemaining(e -> merged.putIfAbsent(e.getKey(), e.getValue()));
          } else if (base.isArray() && allObjects(base)) {
            base.forEach(b -> b.fields().forEachRemaining(e -> merged.putIfAbsent(e.getKey(), e.getValue())));
          } else {
            throw invalid(source, "<< merges a mapping or a list of mappings, not " + kindOf(base), k.getStartMark());
          }
          continue;
        }
        if (!(k instanceof ScalarNode ks)) throw invalid(source, "a key must be a plain value", k.getStartMark());
        if (own.containsKey(ks.getValue())) {
          throw invalid(source, "Duplicate field '" + ks.getValue() + "'", k.getStartMark());
        }
        own.put(ks.getValue(), copy(t.getValueNode()));
      }
      ObjectNode o = F.objectNode();
      merged.forEach((key, v) -> {
        if (!own.containsKey(key)) o.set(key, v);
      });
      own.forEach(o::set);
      return o;
    }

    private static boolean allObjects(JsonNode a) {
      for (JsonNode x : a) if (!x.isObject()) return false;
      return true;
    }

    private static String kindOf(JsonNode n) {
      return n.isArray() ? "a list of other values" : "a single value";
    }
  }

  /** A scalar by its resolved tag, as jackson-dataformat-yaml types it. */
  static JsonNode scalar(ScalarNode s) {
    String v = s.getValue();
    Tag tag = s.getTag();
    if (tag.equals(Tag.NULL)) return F.nullNode();
    if (tag.equals(Tag.BOOL)) {
      String b = v.toLowerCase(Locale.ROOT);
      if (b.equals("true") || b.equals("false")) return F.booleanNode(b.equals("true"));
      return F.textNode(v);  // yes/no/on/off stay text, as in Jackson's YAML parser
    }
    if (tag.equals(Tag.INT)) {
      JsonNode n = integer(v);
      return n != null ? n : F.textNode(v);
    }
    if (tag.equals(Tag.FLOAT)) {
      String f = v.replace("_", "");
      String lower = f.toLowerCase(Locale.ROOT);
      if (lower.matches("[-+]?\\.inf")) {
        return F.numberNode(lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
      }
      if (lower.equals(".nan")) return F.numberNode(Double.NaN);
      try {
        return F.numberNode(Double.parseDouble(f));
      } catch (NumberFormatException e) {
        return F.textNode(v);  // e.g. sexagesimal 1:30.5
      }
    }
    return F.textNode(v);
  }

  private static JsonNode integer(String v) {
    String s = v.replace("_", "");
    boolean neg = s.startsWith("-");
    if (neg || s.startsWith("+")) s = s.substring(1);
    int radix = 10;
    if (s.startsWith("0x")) {
      radix = 16;
      s = s.substring(2);
    } else if (s.startsWith("0b")) {
      radix = 2;
      s = s.substring(2);
    } else if (s.startsWith("0o")) {
      radix = 8;
      s = s.substring(2);
    } else if (s.length() > 1 && s.startsWith("0")) {
      radix = 8;
      s = s.substring(1);
    }
    try {
      BigInteger b = new BigInteger(s, radix);
      if (neg) b = b.negate();
      return b.bitLength() < 64 ? F.numberNode(b.longValue()) : F.numberNode(b);
    } catch (NumberFormatException e) {
      return null;  // e.g. sexagesimal 1:30
    }
  }
}
