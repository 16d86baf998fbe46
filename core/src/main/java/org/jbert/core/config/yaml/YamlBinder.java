package org.jbert.core.config.yaml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import org.jbert.core.config.ConfigMapper;
import org.jbert.core.config.ConfigOverrides;
import org.jbert.core.config.ConfigTypes;

/**
 * YAML run files to records: the entry points the commands and tests use, over {@link ConfigMapper#yaml()} (Jackson,
 * strict: unknown and missing keys refused, defaults from {@code defaults()}, aliases resolved) and
 * {@link ConfigOverrides} ({@code --set key.path=value}).
 */
public final class YamlBinder {
  private YamlBinder() {}

  /** Reads {@code file}, applies {@code overrides} ({@code key.path=value} each), binds to {@code type}. */
  public static <R> R load(Path file, Class<R> type, List<String> overrides) {
    return load(file, type, ConfigMapper.yaml(), overrides);
  }

  /**
   * As {@link #load(Path, Class, List)} with {@code mapper}, which knows the subtypes of a polymorphic {@code type}
   * ({@link org.jbert.core.config.RunConfig}): the file's type key picks the record the overrides are checked against
   * and the tree is bound to.
   */
  public static <R> R load(Path file, Class<R> type, ConfigMapper mapper, List<String> overrides) {
    ObjectNode tree = readTree(file);
    ConfigOverrides.apply(tree, mapper.typeOf(tree, type, file.toString()), overrides);
    return mapper.bind(tree, type, file.toString());
  }

  /** The YAML mapping in {@code file} (an empty file is an empty mapping). */
  public static ObjectNode readTree(Path file) {
    return ConfigMapper.readYaml(file);
  }

  /** Parses YAML text whose top level must be a mapping; {@code source} names it in messages. */
  public static ObjectNode parse(String yaml, String source) {
    return ConfigMapper.parseYaml(yaml, source);
  }

  /** Binds a mapping to {@code type}; {@code source} (usually the file) prefixes every message. */
  public static <R> R bind(JsonNode tree, Class<R> type, String source) {
    return ConfigMapper.yaml().bind(tree, type, source);
  }

  /** Applies {@code assignment} ({@code key.path=value}) to {@code tree}, checked against {@code type}. */
  public static void applyOverride(ObjectNode tree, Class<?> type, String assignment) {
    ConfigOverrides.apply(tree, type, assignment);
  }

  /** The record as a YAML-ready tree, with snake_case keys (empty Optionals as null), for config.resolved.yaml. */
  public static ObjectNode toTree(Record r) {
    return (ObjectNode) ConfigMapper.yaml().toTree(r);
  }

  /** The record as YAML text that {@link #bind} reads back to an equal record. */
  public static String toYaml(Record r) {
    return ConfigMapper.yaml().toYaml(r);
  }

  /** {@code maxGradNorm} to {@code max_grad_norm}. */
  public static String snake(String camel) {
    return ConfigTypes.snake(camel);
  }
}
