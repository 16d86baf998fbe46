package org.jbert.core.config.yaml;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jbert.core.JbertException;

/**
 * Binds YAML to records, strictly. Keys are the snake_case forms of the record component names
 * ({@code maxGradNorm} is {@code max_grad_norm}); nested records are nested mappings. Supported component types:
 * {@code String}, {@code int/long/double/float/boolean} (boxed too), enums (written in lower case), {@link Path},
 * nested records, {@code List<T>}, {@code Map<String,T>} and {@code Optional<T>}.
 *
 * <p>Defaults: a record that declares {@code public static R defaults()} takes every missing (or null) key from it;
 * otherwise a missing {@code Optional} is empty, a missing {@code List}/{@code Map} is empty, and any other missing key
 * is an error. Errors are {@link JbertException}s with one line naming the source, the full key path and what was
 * expected: an unknown key lists the allowed keys at that level, a wrong type names the expected type, a duplicate
 * key is rejected. Overrides ({@code --set train.lr=1e-4}) are checked against the record type and applied to the
 * parsed tree before binding, so they pass through the same validation. Numbers may be written as YAML strings
 * ({@code 1e-4}, which YAML 1.1 does not read as a number) where a number is expected.
 */
public final class YamlBinder {
  private YamlBinder() {}

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  /** Reads {@code file}, applies {@code overrides} ({@code key.path=value} each), binds to {@code type}. */
  public static <R extends Record> R load(Path file, Class<R> type, List<String> overrides) {
    ObjectNode tree = readTree(file);
    for (String o : overrides) applyOverride(tree, type, o);
    return bind(tree, type, file.toString());
  }

  /** The YAML mapping in {@code file} (an empty file is an empty mapping). */
  public static ObjectNode readTree(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new JbertException(file + ": config file not found");
    } catch (IOException e) {
      throw new JbertException(file + ": cannot read config file (" + e.getMessage() + ")", e);
    }
    return parse(text, file.toString());
  }

  /** Parses YAML text whose top level must be a mapping; {@code source} names it in messages. */
  public static ObjectNode parse(String yaml, String source) {
    JsonNode n;
    try {
      n = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new JbertException(source + ": not valid YAML (" + e.getOriginalMessage().replace('\n', ' ') + ")");
    }
    if (n == null || n.isMissingNode() || n.isNull()) return JsonNodeFactory.instance.objectNode();
    if (!n.isObject()) throw new JbertException(source + ": expected a mapping of keys at the top level, got " + kind(n));
    return (ObjectNode) n;
  }

  /** Binds a mapping to {@code type}; {@code source} (usually the file) prefixes every message. */
  public static <R extends Record> R bind(JsonNode tree, Class<R> type, String source) {
    return type.cast(bindRecord(tree, type, "", source));
  }

  /**
   * Applies {@code assignment} ({@code key.path=value}, value in YAML syntax) to {@code tree} after checking that the
   * path exists in {@code type} and that the value has the right type; errors name the assignment. The path goes
   * through nested records, optional records ({@code Optional<R>}) and map entries ({@code Map<String,T>}: any key).
   */
  public static void applyOverride(ObjectNode tree, Class<? extends Record> type, String assignment) {
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
      Type section = unwrapOptional(current);
      if (section instanceof ParameterizedType pt && pt.getRawType() == Map.class && !keys[i].isEmpty()) {
        leafType = pt.getActualTypeArguments()[1];  // a map entry: any key, the map's value type
        current = leafType;
        continue;
      }
      if (!(section instanceof Class<?> rec) || !rec.isRecord()) {
        throw new JbertException(source + ": " + String.join(".", Arrays.copyOfRange(keys, 0, i))
            + " is not a section (it holds " + describe(leafType) + "), so it has no key " + keys[i]);
      }
      RecordComponent c = component(rec, keys[i]);
      if (c == null) throw unknownKey(source, prefix, parentPath(prefix), rec);
      leafType = c.getGenericType();
      current = leafType;
    }
    JsonNode value;
    try {
      value = raw.isEmpty() ? TextNode.valueOf("") : YAML.readTree(raw);
    } catch (JsonProcessingException e) {
      throw new JbertException(source + ": the value is not valid YAML (" + e.getOriginalMessage() + ")");
    }
    if (value == null || value.isMissingNode()) value = TextNode.valueOf(raw);
    if (!value.isNull()) convert(value, leafType, path, source);  // type-check now, to name the --set in errors
    ObjectNode node = tree;
    for (int i = 0; i < keys.length - 1; i++) {
      JsonNode child = node.get(keys[i]);
      if (child == null || child.isNull()) {
        child = node.putObject(keys[i]);
      } else if (!child.isObject()) {
        throw new JbertException(source + ": " + String.join(".", Arrays.copyOfRange(keys, 0, i + 1))
            + " in the file is " + kind(child) + ", not a section");
      }
      node = (ObjectNode) child;
    }
    node.set(keys[keys.length - 1], value);
  }

  /** {@code Optional<T>} to T; any other type unchanged. */
  private static Type unwrapOptional(Type t) {
    return t instanceof ParameterizedType pt && pt.getRawType() == Optional.class ? pt.getActualTypeArguments()[0] : t;
  }

  /** The record as a YAML-ready tree, with snake_case keys (empty Optionals as null), for config.resolved.yaml. */
  public static ObjectNode toTree(Record r) {
    return (ObjectNode) toNode(r);
  }

  /** The record as YAML text that {@link #bind} reads back to an equal record. */
  public static String toYaml(Record r) {
    try {
      return YAML.writeValueAsString(toTree(r));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code maxGradNorm} to {@code max_grad_norm}. */
  public static String snake(String camel) {
    StringBuilder b = new StringBuilder();
    for (char ch : camel.toCharArray()) {
      if (Character.isUpperCase(ch)) b.append('_').append(Character.toLowerCase(ch));
      else b.append(ch);
    }
    return b.toString();
  }

  // ---- binding

  private static Object bindRecord(JsonNode n, Class<?> type, String path, String source) {
    if (n == null || n.isNull()) n = JsonNodeFactory.instance.objectNode();
    if (!n.isObject()) {
      throw new JbertException(source + ": " + (path.isEmpty() ? "top level" : path) + ": expected a mapping with keys "
          + allowed(type) + ", got " + kind(n));
    }
    RecordComponent[] comps = type.getRecordComponents();
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (component(type, key) == null) throw unknownKey(source, join(path, key), path, type);
    }
    Object defaults = defaults(type);
    Object[] args = new Object[comps.length];
    Class<?>[] types = new Class<?>[comps.length];
    for (int i = 0; i < comps.length; i++) {
      RecordComponent c = comps[i];
      types[i] = c.getType();
      String key = snake(c.getName());
      String p = join(path, key);
      JsonNode v = n.get(key);
      if (v == null || v.isNull()) {
        if (defaults != null) {
          args[i] = accessor(c, defaults);
        } else if (c.getType() == Optional.class) {
          args[i] = Optional.empty();
        } else if (c.getType() == List.class) {
          args[i] = List.of();
        } else if (c.getType() == Map.class) {
          args[i] = Map.of();
        } else if (c.getType().isRecord() && v == null && defaults(c.getType()) != null) {
          args[i] = defaults(c.getType());
        } else {
          throw new JbertException(source + ": missing key " + p + "; expected " + describe(c.getGenericType()));
        }
      } else {
        args[i] = convert(v, c.getGenericType(), p, source);
      }
    }
    try {
      Constructor<?> ctor = type.getDeclaredConstructor(types);
      ctor.setAccessible(true);
      return ctor.newInstance(args);
    } catch (InvocationTargetException e) {
      Throwable t = e.getCause();
      String where = path.isEmpty() ? "" : path + ": ";
      if (t instanceof JbertException || t instanceof IllegalArgumentException) {
        throw new JbertException(source + ": " + where + t.getMessage(), t);
      }
      throw new IllegalStateException("cannot build " + type.getName(), t);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build " + type.getName() + " (not a record with a public constructor?)", e);
    }
  }

  private static Object convert(JsonNode n, Type t, String path, String source) {
    if (t instanceof ParameterizedType pt) {
      Class<?> raw = (Class<?>) pt.getRawType();
      Type arg = pt.getActualTypeArguments()[pt.getActualTypeArguments().length - 1];
      if (raw == Optional.class) return n.isNull() ? Optional.empty() : Optional.of(convert(n, arg, path, source));
      if (raw == List.class) {
        if (!n.isArray()) throw wrongType(source, path, t, n);
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) out.add(convert(n.get(i), arg, path + "[" + i + "]", source));
        return List.copyOf(out);
      }
      if (raw == Map.class) {
        if (!n.isObject()) throw wrongType(source, path, t, n);
        Map<String, Object> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          out.put(e.getKey(), convert(e.getValue(), arg, join(path, e.getKey()), source));
        }
        return java.util.Collections.unmodifiableMap(out);
      }
      throw new IllegalStateException("unsupported config type " + t + " at " + path);
    }
    Class<?> c = (Class<?>) t;
    if (n.isNull()) throw wrongType(source, path, t, n);
    if (c.isRecord()) return bindRecord(n, c, path, source);
    if (c == String.class) {
      if (!n.isValueNode()) throw wrongType(source, path, t, n);
      return n.asText();
    }
    if (c == Path.class) {
      if (!n.isTextual() || n.asText().isEmpty()) throw wrongType(source, path, t, n);
      return Path.of(n.asText());
    }
    if (c == boolean.class || c == Boolean.class) {
      if (n.isBoolean()) return n.booleanValue();
      if (n.isTextual() && (n.asText().equals("true") || n.asText().equals("false"))) return Boolean.valueOf(n.asText());
      throw wrongType(source, path, t, n);
    }
    if (c == int.class || c == Integer.class || c == long.class || c == Long.class) {
      Long v = integral(n);
      boolean isInt = c == int.class || c == Integer.class;
      if (v == null || (isInt && (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE))) throw wrongType(source, path, t, n);
      return isInt ? (Object) v.intValue() : (Object) v;
    }
    if (c == double.class || c == Double.class || c == float.class || c == Float.class) {
      Double v = number(n);
      if (v == null) throw wrongType(source, path, t, n);
      return c == float.class || c == Float.class ? (Object) v.floatValue() : (Object) v;
    }
    if (c.isEnum()) {
      if (n.isTextual()) {
        String want = n.asText().trim().replace('-', '_');
        for (Object k : c.getEnumConstants()) {
          if (((Enum<?>) k).name().equalsIgnoreCase(want)) return k;
        }
      }
      throw wrongType(source, path, t, n);
    }
    throw new IllegalStateException("unsupported config type " + c.getName() + " at " + path);
  }

  private static Long integral(JsonNode n) {
    if (n.isIntegralNumber() && n.canConvertToLong()) return n.longValue();
    if (n.isFloatingPointNumber()) {
      double d = n.doubleValue();
      if (d == Math.rint(d) && Math.abs(d) < 9.0e15) return (long) d;
      return null;
    }
    if (n.isTextual()) {
      try {
        return Long.parseLong(n.asText().trim().replace("_", ""));
      } catch (NumberFormatException e) {
        Double d = number(n);
        return d != null && d == Math.rint(d) && Math.abs(d) < 9.0e15 ? (Long) (long) (double) d : null;
      }
    }
    return null;
  }

  private static Double number(JsonNode n) {
    if (n.isNumber()) return n.doubleValue();
    if (n.isTextual()) {
      String s = n.asText().trim();
      if (s.equals(".inf") || s.equals("+.inf")) return Double.POSITIVE_INFINITY;
      if (s.equals("-.inf")) return Double.NEGATIVE_INFINITY;
      if (!s.matches("[-+]?(\\d[\\d_]*\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) return null;
      return Double.parseDouble(s.replace("_", ""));
    }
    return null;
  }

  // ---- messages

  private static JbertException unknownKey(String source, String keyPath, String parent, Class<?> type) {
    String where = parent.isEmpty() ? "at the top level" : "under " + parent;
    return new JbertException(source + ": unknown key " + keyPath + "; allowed keys " + where + ": " + allowed(type));
  }

  private static JbertException wrongType(String source, String path, Type t, JsonNode n) {
    return new JbertException(source + ": " + path + ": expected " + describe(t) + ", got " + kind(n));
  }

  /** A phrase for the expected type, e.g. "an integer", "one of linear, constant", "a list of numbers". */
  static String describe(Type t) {
    if (t instanceof ParameterizedType pt) {
      Class<?> raw = (Class<?>) pt.getRawType();
      Type arg = pt.getActualTypeArguments()[pt.getActualTypeArguments().length - 1];
      if (raw == Optional.class) return describe(arg) + " or null";
      if (raw == List.class) return "a list of (" + describe(arg) + ")";
      if (raw == Map.class) return "a mapping of names to (" + describe(arg) + ")";
    }
    if (!(t instanceof Class<?> c)) return t.getTypeName();
    if (c == String.class) return "a string";
    if (c == Path.class) return "a path (string)";
    if (c == boolean.class || c == Boolean.class) return "true or false";
    if (c == int.class || c == Integer.class) return "an integer";
    if (c == long.class || c == Long.class) return "an integer";
    if (c == double.class || c == Double.class || c == float.class || c == Float.class) return "a number";
    if (c.isEnum()) {
      return "one of " + Arrays.stream(c.getEnumConstants()).map(k -> ((Enum<?>) k).name().toLowerCase(Locale.ROOT))
          .collect(Collectors.joining(", "));
    }
    if (c.isRecord()) return "a mapping with keys " + allowed(c);
    return c.getSimpleName();
  }

  private static String kind(JsonNode n) {
    if (n.isObject()) return "a mapping";
    if (n.isArray()) return "a list";
    if (n.isNull()) return "null";
    String s = n.asText();
    if (s.length() > 40) s = s.substring(0, 40) + "...";
    return n.isTextual() ? "'" + s + "'" : s;
  }

  private static String allowed(Class<?> type) {
    return Arrays.stream(type.getRecordComponents()).map(c -> snake(c.getName())).collect(Collectors.joining(", "));
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private static String parentPath(String path) {
    int dot = path.lastIndexOf('.');
    return dot < 0 ? "" : path.substring(0, dot);
  }

  private static RecordComponent component(Class<?> type, String key) {
    for (RecordComponent c : type.getRecordComponents()) if (snake(c.getName()).equals(key)) return c;
    return null;
  }

  private static Object defaults(Class<?> type) {
    try {
      Method m = type.getMethod("defaults");
      if (!Modifier.isStatic(m.getModifiers()) || m.getReturnType() != type) return null;
      return m.invoke(null);
    } catch (NoSuchMethodException e) {
      return null;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("defaults() of " + type.getName() + " failed", e);
    }
  }

  private static Object accessor(RecordComponent c, Object r) {
    try {
      Method m = c.getAccessor();
      m.setAccessible(true);
      return m.invoke(r);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- writing

  private static JsonNode toNode(Object v) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (v == null) return f.nullNode();
    if (v instanceof Record r) {
      ObjectNode o = f.objectNode();
      for (RecordComponent c : r.getClass().getRecordComponents()) o.set(snake(c.getName()), toNode(accessor(c, r)));
      return o;
    }
    if (v instanceof Optional<?> o) return o.isPresent() ? toNode(o.get()) : f.nullNode();
    if (v instanceof List<?> l) {
      ArrayNode a = f.arrayNode();
      for (Object x : l) a.add(toNode(x));
      return a;
    }
    if (v instanceof Map<?, ?> m) {
      ObjectNode o = f.objectNode();
      for (Map.Entry<?, ?> e : m.entrySet()) o.set(String.valueOf(e.getKey()), toNode(e.getValue()));
      return o;
    }
    if (v instanceof Enum<?> e) return f.textNode(e.name().toLowerCase(Locale.ROOT));
    if (v instanceof Integer i) return f.numberNode(i);
    if (v instanceof Long l) return f.numberNode(l);
    if (v instanceof Double d) return f.numberNode(d);
    if (v instanceof Float fl) return f.numberNode(fl);
    if (v instanceof Boolean b) return f.booleanNode(b);
    return f.textNode(v.toString());
  }
}
