package org.jbert.core.config;

import java.lang.reflect.Type;

/**
 * A value that does not fit the config type, raised inside Jackson's deserializers. Jackson adds the key path as the
 * problem travels up through records, lists and maps; {@link ConfigMapper} turns it into the one-line message.
 */
final class ConfigProblem extends RuntimeException {
  enum Kind { UNKNOWN_KEY, MISSING_KEY, MISMATCH, NOT_FINITE }

  final Kind kind;
  /** The key, for UNKNOWN_KEY and MISSING_KEY. */
  final String key;
  /** The record that lacks the key (UNKNOWN_KEY) or the type the missing key needs (MISSING_KEY). */
  final Type type;
  /** The value, for NOT_FINITE. */
  final double value;

  private ConfigProblem(Kind kind, String key, Type type, double value) {
    super(kind + (key == null ? "" : " " + key), null, false, false);
    this.kind = kind;
    this.key = key;
    this.type = type;
    this.value = value;
  }

  static ConfigProblem unknownKey(String key, Class<?> record) {
    return new ConfigProblem(Kind.UNKNOWN_KEY, key, record, 0);
  }

  static ConfigProblem missingKey(String key, Type expected) {
    return new ConfigProblem(Kind.MISSING_KEY, key, expected, 0);
  }

  static ConfigProblem mismatch() {
    return new ConfigProblem(Kind.MISMATCH, null, null, 0);
  }

  static ConfigProblem notFinite(double value) {
    return new ConfigProblem(Kind.NOT_FINITE, null, null, value);
  }
}
