package org.jbert.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jbert.core.JbertException;
import org.jbert.core.io.AtomicFiles;

/**
 * The figures of one {@code jbert bench} run, by name, and notes that explain them. Printed as one
 * {@code name=value} line each: the {@link #HEADLINE} names first, always, in that order ({@code nan} when not
 * measured), then every other figure in the order it was added. Values are rounded to 4 significant digits (integers
 * as they are); NaN prints as {@code nan}, infinities as {@code inf} / {@code -inf}. The JSON file holds the same
 * rounded figures, with {@code null} for what prints as {@code nan}.
 */
public final class BenchResults {
  /** The names the command always ends with, in this order. */
  public static final List<String> HEADLINE = List.of("inference_vs_tf", "realtext_vs_tf_fixed128",
      "train_b32_seconds_per_step", "train_b32_peak_rss_gb", "train_b32_fraction_of_sgemm_peak");
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Map<String, Double> values = new LinkedHashMap<>();
  private final List<String> notes = new ArrayList<>();

  /** Sets figure {@code name} (lower-case letters, digits, underscores); a second put replaces the value in place. */
  public BenchResults put(String name, double value) {
    if (!NAME.matcher(name).matches()) {
      throw new JbertException("result name '" + name + "'; expected lower-case letters, digits and underscores");
    }
    values.put(name, value);
    return this;
  }

  /** The value of {@code name}, NaN when absent. */
  public double get(String name) {
    return values.getOrDefault(name, Double.NaN);
  }

  /** Adds a note (one line) that the JSON keeps and the command prints before the figures. */
  public BenchResults note(String note) {
    notes.add(note.replace('\n', ' '));
    return this;
  }

  public List<String> notes() {
    return Collections.unmodifiableList(notes);
  }

  /** Every figure in print order: the headline names, then the others as added. */
  public Map<String, Double> ordered() {
    Map<String, Double> out = new LinkedHashMap<>();
    for (String h : HEADLINE) out.put(h, get(h));
    values.forEach(out::putIfAbsent);
    return out;
  }

  /** The {@code name=value} lines, in print order. */
  public List<String> lines() {
    List<String> out = new ArrayList<>();
    ordered().forEach((k, v) -> out.add(k + "=" + format(v)));
    return out;
  }

  /** A figure as printed: {@code nan}, {@code inf}, an integer as is, else 4 significant digits, never exponents. */
  public static String format(double v) {
    if (Double.isNaN(v)) return "nan";
    if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
    if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
    return new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
  }

  /**
   * Writes {@code {"results": {...}, "notes": [...], "machine": {...}, "settings": {...}}} to {@code file}
   * atomically (temp file, then rename).
   */
  public void writeJson(Path file, Map<String, ?> machine, Map<String, ?> settings) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode r = root.putObject("results");
    ordered().forEach((k, v) -> {
      String s = format(v);
      if (Double.isFinite(v)) {
        r.put(k, new BigDecimal(s));
      } else {
        r.putNull(k);
      }
    });
    ArrayNode n = root.putArray("notes");
    notes.forEach(n::add);
    root.set("machine", JSON.valueToTree(machine));
    root.set("settings", JSON.valueToTree(settings));
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    AtomicFiles.write(file, out -> {
      out.write(bytes);
      out.write('\n');
    });
  }
}
