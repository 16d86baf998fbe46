package org.jbert.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What the config binding knows about the Java types it binds to, and the words its messages use for them: keys are
 * the snake_case record component names, expected types are phrases ("an integer", "one of linear, constant"), found
 * values are quoted ("'fast'"). Shared by {@link ConfigMapper} and the {@code --set} overrides.
 */
public final class ConfigTypes {
  private ConfigTypes() {}

  /** {@code maxGradNorm} to {@code max_grad_norm}. */
  public static String snake(String camel) {
    StringBuilder b = new StringBuilder();
    for (char ch : camel.toCharArray()) {
      if (Character.isUpperCase(ch)) b.append('_').append(Character.toLowerCase(ch));
      else b.append(ch);
    }
    return b.toString();
  }

  /** The component of record {@code type} whose snake_case name is {@code key}, or null. */
  public static RecordComponent component(Class<?> type, String key) {
    for (RecordComponent c : type.getRecordComponents()) if (snake(c.getName()).equals(key)) return c;
    return null;
  }

  /** The keys of record {@code type} in declaration order, comma-separated. */
  public static String allowed(Class<?> type) {
    return Arrays.stream(type.getRecordComponents()).map(c -> snake(c.getName())).collect(Collectors.joining(", "));
  }

  /** {@code R.defaults()} when record {@code type} declares {@code public static R defaults()}, else null. */
  public static Object defaults(Class<?> type) {
    try {
      Method m = type.getMethod("defaults");
      if (!Modifier.isStatic(m.getModifiers()) || m.getReturnType() != type) return null;
      m.setAccessible(true);  // a record that is not public, e.g. nested in a test
      return m.invoke(null);
    } catch (NoSuchMethodException e) {
      return null;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("defaults() of " + type.getName() + " failed", e);
    }
  }

  /** {@code Optional<T>} to T; any other type unchanged. */
  public static Type unwrapOptional(Type t) {
    return t instanceof ParameterizedType pt && pt.getRawType() == Optional.class ? pt.getActualTypeArguments()[0] : t;
  }

  /**
   * The type found at {@code path} (record keys as strings, list indices as integers) inside {@code root}, through
   * records, optionals, lists and maps; null when the path leaves the type.
   */
  public static Type typeAt(Type root, List<Object> path) {
    Type t = root;
    for (Object step : path) {
      t = unwrapOptional(t);
      if (t instanceof ParameterizedType pt && pt.getRawType() == List.class && step instanceof Integer) {
        t = pt.getActualTypeArguments()[0];
      } else if (t instanceof ParameterizedType pt && pt.getRawType() == Map.class && step instanceof String) {
        t = pt.getActualTypeArguments()[1];
      } else if (t instanceof Class<?> c && c.isRecord() && step instanceof String key && component(c, key) != null) {
        t = component(c, key).getGenericType();
      } else {
        return null;
      }
    }
    return t;
  }

  /** The node at {@code path} in {@code tree}, or null. */
  public static JsonNode nodeAt(JsonNode tree, List<Object> path) {
    JsonNode n = tree;
    for (Object step : path) {
      if (n == null) return null;
      n = step instanceof Integer i ? n.get(i) : n.get((String) step);
    }
    return n;
  }

  /** {@code train.lr}, {@code stages[1].layers}; empty for the top level. */
  public static String pathString(List<Object> path) {
    StringBuilder b = new StringBuilder();
    for (Object step : path) {
      if (step instanceof Integer i) b.append('[').append(i).append(']');
      else b.append(b.length() == 0 ? "" : ".").append(step);
    }
    return b.toString();
  }

  /** A phrase for the expected type, e.g. "an integer", "one of linear, constant", "a list of (a number)". */
  public static String describe(Type t) {
    if (t instanceof ParameterizedType pt) {
      Class<?> raw = (Class<?>) pt.getRawType();
      Type arg = pt.getActualTypeArguments()[pt.getActualTypeArguments().length - 1];
      if (raw == Optional.class) return describe(arg) + " or null";
      if (raw == List.class) return "a list of (" + describe(arg) + ")";
      if (raw == Map.class) return "a mapping of names to (" + describe(arg) + ")";
    }
    if (!(t instanceof Class<?> c)) return t == null ? "nothing here" : t.getTypeName();
    if (c == String.class) return "a string";
    if (c == Path.class) return "a path (string)";
    if (c == boolean.class || c == Boolean.class) return "true or false";
    if (c == int.class || c == Integer.class || c == long.class || c == Long.class) return "an integer";
    if (c == double.class || c == Double.class || c == float.class || c == Float.class) return "a number";
    if (c.isEnum()) return "one of " + enumNames(c);
    if (c.isRecord()) return "a mapping with keys " + allowed(c);
    return c.getSimpleName();
  }

  /** The constants of enum {@code c} in lower case, comma-separated. */
  public static String enumNames(Class<?> c) {
    return Arrays.stream(c.getEnumConstants()).map(k -> ((Enum<?>) k).name().toLowerCase(Locale.ROOT))
        .collect(Collectors.joining(", "));
  }

  /** How a found value reads in a message: "a mapping", "a list", "null", "'text'" or the number. */
  public static String kind(JsonNode n) {
    if (n == null || n.isMissingNode()) return "nothing";
    if (n.isObject()) return "a mapping";
    if (n.isArray()) return "a list";
    if (n.isNull()) return "null";
    String s = n.asText();
    if (s.length() > 40) s = s.substring(0, 40) + "...";
    return n.isTextual() ? "'" + s + "'" : s;
  }
}
