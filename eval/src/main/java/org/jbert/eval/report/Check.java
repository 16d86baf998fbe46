package org.jbert.eval.report;

/**
 * One pass/fail check of a report: what was measured against what bound. {@code tolerance} is the bound the
 * measurement was held to (NaN if the check has none), {@code comparison} how ("&lt;=", "&gt;=", "==" or "" for a
 * check decided elsewhere), {@code note} free text (may be empty).
 */
public record Check(String name, boolean passed, double measured, double tolerance, String comparison, String note) {
  public Check {
    if (name == null || name.isBlank()) throw new IllegalArgumentException("check name is blank");
    comparison = comparison == null ? "" : comparison;
    note = note == null ? "" : note;
  }

  /** Passes when {@code measured <= tolerance}; a NaN measurement fails (e.g. a max abs difference). */
  public static Check atMost(String name, double measured, double tolerance) {
    return new Check(name, measured <= tolerance, measured, tolerance, "<=", "");
  }

  /** Passes when {@code measured >= minimum}; a NaN measurement fails (e.g. an accuracy floor). */
  public static Check atLeast(String name, double measured, double minimum) {
    return new Check(name, measured >= minimum, measured, minimum, ">=", "");
  }

  /** Passes when {@code |measured - expected| <= tolerance}; {@code tolerance} is the reported bound. */
  public static Check near(String name, double measured, double expected, double tolerance) {
    return new Check(name, Math.abs(measured - expected) <= tolerance, measured, tolerance, "==",
        "expected " + expected);
  }

  /** A check decided by the caller (e.g. shapes equal); {@code measured} and tolerance are NaN. */
  public static Check of(String name, boolean passed, String note) {
    return new Check(name, passed, Double.NaN, Double.NaN, "", note);
  }

  /** The same check with a note. */
  public Check withNote(String text) {
    return new Check(name, passed, measured, tolerance, comparison, text);
  }
}
