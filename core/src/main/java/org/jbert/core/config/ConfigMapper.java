package org.jbert.core.config;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jbert.core.JbertException;
import org.jbert.core.config.yaml.YamlTrees;

/**
 * Binds YAML and JSON config files to records with jackson-databind, strictly, and writes records back. Keys are the
 * snake_case forms of the record component names ({@code maxGradNorm} is {@code max_grad_norm}); records are built
 * through their canonical constructors, so their validation runs. Unknown keys and missing required keys are refused;
 * a record with {@code public static R defaults()} takes every missing key from it (the rules: {@link ConfigModule}).
 * YAML is read with anchors and aliases resolved ({@link YamlTrees}).
 *
 * <p>Every error is a {@link JbertException} with one line: the source (usually the file), the key path, and what
 * was expected: an unknown key lists the allowed keys at its level, a wrong value names the expected type and the
 * value found, a record's own validation message is prefixed with the path of the record.
 *
 * <p>{@link #yaml()} reads numbers written as strings ({@code 1e-4}) where a number is expected, for run files;
 * {@link #json()} takes JSON's own types only, for model metadata such as {@code config.json}. A polymorphic base type
 * annotated with {@code @JsonTypeInfo(use = NAME, include = EXISTING_PROPERTY, property = ...)} is bound by the value
 * of that key among the subtypes given to {@link #withSubtypes} (see {@link RunConfig}).
 */
public final class ConfigMapper {
  private static final ConfigMapper YAML = new ConfigMapper(true, Map.of());
  private static final ConfigMapper JSON = new ConfigMapper(false, Map.of());

  private final boolean lenient;
  private final ObjectMapper mapper;
  private final ObjectMapper yamlWriter;
  private final Map<String, Class<?>> subtypes;

  private ConfigMapper(boolean lenient, Map<String, Class<?>> subtypes) {
    this.lenient = lenient;
    this.subtypes = Collections.unmodifiableMap(new LinkedHashMap<>(subtypes));  // in the order given
    this.mapper = configure(new ObjectMapper());
    this.yamlWriter = configure(new ObjectMapper(new YAMLFactory()
        .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
        .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)));
    subtypes.values().forEach(mapper::registerSubtypes);
  }

  private ObjectMapper configure(ObjectMapper m) {
    m.setPropertyNamingStrategy(new PropertyNamingStrategies.NamingBase() {
      @Override
      public String translate(String name) {
        return ConfigTypes.snake(name);
      }
    });
    m.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    m.registerModule(new ConfigModule(lenient, () -> mapper));
    return m;
  }

  /** The mapper for YAML run files: numbers and booleans may be written as strings. */
  public static ConfigMapper yaml() {
    return YAML;
  }

  /** The mapper for JSON metadata files: JSON's own types only. */
  public static ConfigMapper json() {
    return JSON;
  }

  /**
   * This mapper, also binding a polymorphic base type to {@code types}, each named by its {@code @JsonTypeName} (the
   * value of the base's type key, e.g. {@code task: finetune}).
   */
  public ConfigMapper withSubtypes(List<Class<?>> types) {
    Map<String, Class<?>> all = new LinkedHashMap<>(subtypes);
    for (Class<?> t : types) {
      JsonTypeName name = t.getAnnotation(JsonTypeName.class);
      if (name == null) throw new IllegalArgumentException(t.getName() + " has no @JsonTypeName");
      all.put(name.value(), t);
    }
    return new ConfigMapper(lenient, all);
  }

  /** The underlying Jackson mapper (JSON), for callers that stream or tree-walk themselves. */
  public ObjectMapper jackson() {
    return mapper;
  }

  // ---- reading

  /** The YAML mapping in {@code file} (an empty file is an empty mapping). */
  public static ObjectNode readYaml(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new JbertException(file + ": config file not found");
    } catch (IOException e) {
      throw new JbertException(file + ": cannot read config file (" + e.getMessage() + ")", e);
    }
    return parseYaml(text, file.toString());
  }

  /** Parses YAML text whose top level must be a mapping; {@code source} names it in messages. */
  public static ObjectNode parseYaml(String yaml, String source) {
    JsonNode n = YamlTrees.parse(yaml, source);
    if (n == null || n.isNull()) return JsonNodeFactory.instance.objectNode();
    if (!n.isObject()) {
      throw new JbertException(source + ": expected a mapping of keys at the top level, got " + ConfigTypes.kind(n));
    }
    return (ObjectNode) n;
  }

  /** The class a polymorphic {@code base} binds {@code tree} to, by its type key; {@code base} when not polymorphic. */
  public Class<?> typeOf(JsonNode tree, Class<?> base, String source) {
    JsonTypeInfo info = base.getAnnotation(JsonTypeInfo.class);
    if (info == null || !base.isInterface()) return base;
    JsonNode id = tree.get(info.property());
    List<String> allowed = new ArrayList<>();
    subtypes.forEach((name, t) -> {
      if (base.isAssignableFrom(t)) allowed.add(name);
    });
    Class<?> t = id != null && id.isTextual() ? subtypes.get(id.asText()) : null;
    if (t == null || !base.isAssignableFrom(t)) {
      throw new JbertException(source + ": key '" + info.property() + "' is " + (id == null ? "missing" : id.toString())
          + "; expected one of " + allowed);
    }
    return t;
  }

  /** Binds {@code tree} to {@code type}; {@code source} (usually the file) prefixes every message. */
  public <T> T bind(JsonNode tree, Class<T> type, String source) {
    return type.cast(bindAt(tree, type, source, List.of()));
  }

  /**
   * Binds {@code tree} to {@code type}, a part of a bigger config found at {@code base} (keys and list indices), so
   * that messages name the whole path.
   */
  public Object bindAt(JsonNode tree, Type type, String source, List<Object> base) {
    Type root = type instanceof Class<?> c ? typeOf(tree, c, source) : type;  // the record a polymorphic type picks
    try {
      return mapper.readerFor(mapper.constructType(type)).readValue(tree);
    } catch (ConfigProblem p) {
      throw message(p, tree, root, source, base, List.of());
    } catch (JsonMappingException e) {
      List<Object> path = new ArrayList<>();
      for (JsonMappingException.Reference r : e.getPath()) {
        path.add(r.getFieldName() != null ? r.getFieldName() : (Object) r.getIndex());
      }
      throw message(e, tree, root, source, base, path);
    } catch (IOException e) {
      throw new IllegalStateException("reading a tree failed", e);
    }
  }

  private static JbertException message(Throwable e, JsonNode tree, Type type, String source, List<Object> base,
      List<Object> path) {
    List<Object> full = new ArrayList<>(base);
    full.addAll(path);
    String p = ConfigTypes.pathString(full);
    Throwable cause = e;
    while (cause instanceof JsonMappingException && cause.getCause() != null) cause = cause.getCause();
    if (cause instanceof ConfigProblem cp) {
      String key = p.isEmpty() ? cp.key : p + "." + cp.key;
      return new JbertException(source + ": " + switch (cp.kind) {
        case UNKNOWN_KEY -> "unknown key " + key + "; allowed keys " + (p.isEmpty() ? "at the top level" : "under " + p)
            + ": " + ConfigTypes.allowed((Class<?>) cp.type);
        case MISSING_KEY -> "missing key " + key + "; expected " + ConfigTypes.describe(cp.type);
        case NOT_FINITE -> p + " is " + cp.value + "; expected a finite number";
        case MISMATCH -> mismatch(tree, type, p, path);
      });
    }
    if (cause instanceof JbertException || cause instanceof IllegalArgumentException) {  // a record's own check
      return new JbertException(source + ": " + (p.isEmpty() ? "" : p + ": ") + cause.getMessage(), cause);
    }
    if (cause instanceof JsonMappingException) return new JbertException(source + ": " + mismatch(tree, type, p, path));
    throw new IllegalStateException("binding " + type.getTypeName() + " failed at " + p, e);
  }

  private static String mismatch(JsonNode tree, Type type, String p, List<Object> path) {
    return (p.isEmpty() ? "top level" : p) + ": expected " + ConfigTypes.describe(ConfigTypes.typeAt(type, path))
        + ", got " + ConfigTypes.kind(ConfigTypes.nodeAt(tree, path));
  }

  // ---- writing

  /** {@code value} (a record, list, map or scalar) as a tree with snake_case keys; empty optionals are null. */
  public JsonNode toTree(Object value) {
    return mapper.valueToTree(value);
  }

  /** {@code value} as YAML text that {@link #bind} reads back to an equal value. */
  public String toYaml(Object value) {
    try {
      return yamlWriter.writeValueAsString(toTree(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
