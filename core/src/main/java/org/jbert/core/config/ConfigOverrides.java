package org.jbert.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jbert.core.JbertException;
import org.jbert.core.config.yaml.YamlTrees;

/**
 * {@code --set key.path=value} overrides, merged into a config's tree before it is bound, so they pass the same
 * validation as the file. The path is checked against the record type first (an unknown key names the allowed keys at
 * its level); it goes through nested records, optional records ({@code Optional<R>}) and map entries
 * ({@code Map<String,T>}: any key). The value is YAML ({@code 1e-4}, {@code [a, b]}, {@code {name: x}}), type-checked
 * on its own so that the message names the {@code --set}.
 */
public final class ConfigOverrides {
  private ConfigOverrides() {}

  /** Applies each of {@code assignments} to {@code tree}, checked against {@code type}. */
  public static void apply(ObjectNode tree, Type type, List<String> assignments) {
    for (String a : assignments) apply(tree, type, a);
  }

  /** Applies {@code assignment} ({@code key.path=value}) to {@code tree}, checked against {@code type}. */
  public static void apply(ObjectNode tree, Type type, String assignment) {
    String source = "--set " + assignment;
    int eq = assignment.indexOf('=');
    if (eq <= 0) throw new JbertException(source + ": expected key.path=value");
    String path = assignment.substring(0, eq).trim();
    String raw = assignment.substring(eq + 1);
    String[] keys = path.split("\\.", -1);
    Type current = type;
    Type leafType = null;
    for (int i = 0; i < keys.length; i++) {
      String prefix = String.join(".", Arrays.copyOfRange(keys, 0, i + 1));
      Type section = ConfigTypes.unwrapOptional(current);
      if (section instanceof ParameterizedType pt && pt.getRawType() == Map.class && !keys[i].isEmpty()) {
        leafType = pt.getActualTypeArguments()[1];  // a map entry: any key, the map's value type
        current = leafType;
        continue;
      }
      if (!(section instanceof Class<?> rec) || !rec.isRecord()) {
        throw new JbertException(source + ": " + String.join(".", Arrays.copyOfRange(keys, 0, i))
            + " is not a section (it holds " + ConfigTypes.describe(leafType) + "), so it has no key " + keys[i]);
      }
      RecordComponent c = ConfigTypes.component(rec, keys[i]);
      if (c == null) {
        int dot = prefix.lastIndexOf('.');
        String where = dot < 0 ? "at the top level" : "under " + prefix.substring(0, dot);
        throw new JbertException(source + ": unknown key " + prefix + "; allowed keys " + where + ": "
            + ConfigTypes.allowed(rec));
      }
      leafType = c.getGenericType();
      current = leafType;
    }
    JsonNode value = raw.isEmpty() ? TextNode.valueOf("") : YamlTrees.parse(raw, source);
    if (value == null) value = TextNode.valueOf(raw);
    if (!value.isNull()) {  // type-check now, to name the --set in errors
      ConfigMapper.yaml().bindAt(value, leafType, source, List.of((Object[]) keys));
    }
    ObjectNode node = tree;
    for (int i = 0; i < keys.length - 1; i++) {
      JsonNode child = node.get(keys[i]);
      if (child == null || child.isNull()) {
        child = node.putObject(keys[i]);
      } else if (!child.isObject()) {
        throw new JbertException(source + ": " + String.join(".", Arrays.copyOfRange(keys, 0, i + 1))
            + " in the file is " + ConfigTypes.kind(child) + ", not a section");
      }
      node = (ObjectNode) child;
    }
    node.set(keys[keys.length - 1], value);
  }
}
