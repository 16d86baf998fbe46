package org.jbert.eval.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.jbert.core.JbertException;
import org.jbert.core.io.AtomicFiles;
import org.jbert.core.train.Plots;
import org.jbert.eval.metrics.ClassificationMetrics;
import org.jbert.eval.metrics.EntityMetrics;

/**
 * An evaluation report, built section by section and written as {@code report.md} (Markdown: a verdict line, then per
 * section a table of checks, metrics, tables, text and embedded PNG plots) and {@code report.json} (the same content
 * for machines) into one folder. Every file is written atomically; plots are drawn when the report is written.
 *
 * <pre>{@code
 * Report r = new Report("Parity against TensorFlow")
 *     .section("Encoder")
 *     .check(Check.atMost("pooled_output max abs diff", 2.1e-5, 1e-4))
 *     .layerDiffs("layers.png", "Per-layer difference", names, maxAbs, meanAbs, 1e-4);
 * r.write(outDir);
 * boolean ok = r.allPassed();
 * }</pre>
 *
 * <p>report.json: {@code {"title", "all_passed", "checks_passed", "checks_total", "sections": [{"title",
 * "all_passed", "checks": [{"name", "passed", "measured", "tolerance", "comparison", "note"}], "metrics": {name:
 * number}, "tables": [{"title", "header", "rows"}], "matrices": [{"title", "rows", "columns", "labels", "counts"}],
 * "images": [{"file", "caption"}], "text": [...]}]}} ({@code counts} [K,K] integers, e.g. a confusion matrix with
 * rows "true" and columns "predicted"); a number that is NaN or infinite is written as null.
 */
public final class Report {
  /** File names the report writes into its folder. */
  public static final String MARKDOWN = "report.md", JSON = "report.json";

  private record Table(String title, List<String> header, List<List<String>> rows) {}

  private record Image(String file, String caption, Consumer<Path> draw) {}

  /** A K x K count matrix: rows are {@code rowTitle} (e.g. true class), columns {@code colTitle}. */
  private record Matrix(String title, List<String> labels, long[][] counts, String rowTitle, String colTitle) {}

  /** One section: checks first, then its blocks (text, metrics, table, image) in the order they were added. */
  private static final class Section {
    final String title;
    final List<Check> checks = new ArrayList<>();
    final Map<String, Double> metrics = new LinkedHashMap<>();
    final List<Object> blocks = new ArrayList<>();  // String (text), Table, Image, Matrix, or METRICS_MARK

    Section(String title) {
      this.title = title;
    }

    boolean allPassed() {
      return checks.stream().allMatch(Check::passed);
    }
  }

  private static final Object METRICS_MARK = new Object();

  private final String title;
  private final List<Section> sections = new ArrayList<>();

  public Report(String title) {
    this.title = title;
  }

  /** Starts a new section; what is added next goes into it. */
  public Report section(String sectionTitle) {
    sections.add(new Section(sectionTitle));
    return this;
  }

  private Section current() {
    if (sections.isEmpty()) sections.add(new Section("Checks"));
    return sections.get(sections.size() - 1);
  }

  /** Adds a check to the current section. */
  public Report check(Check check) {
    current().checks.add(check);
    return this;
  }

  /** Adds a Markdown paragraph to the current section. */
  public Report text(String markdown) {
    current().blocks.add(markdown);
    return this;
  }

  /** Adds a named number to the current section's metrics table (shown where the first metric was added). */
  public Report metric(String name, double value) {
    Section s = current();
    if (s.metrics.isEmpty()) s.blocks.add(METRICS_MARK);
    s.metrics.put(name, value);
    return this;
  }

  /** Adds a table; every row must have as many cells as the header. */
  public Report table(String tableTitle, List<String> header, List<List<String>> rows) {
    for (List<String> row : rows) {
      if (row.size() != header.size()) {
        throw new JbertException("table '" + tableTitle + "': a row has " + row.size() + " cells: expected "
            + header.size() + " as the header " + header);
      }
    }
    current().blocks.add(new Table(tableTitle, List.copyOf(header), rows.stream().map(List::copyOf).toList()));
    return this;
  }

  /** Embeds a PNG that will exist in the report folder (file name relative to it). */
  public Report image(String file, String caption) {
    return image(file, caption, null);
  }

  /** Embeds a PNG that {@code draw} writes to the given path when the report is written. */
  public Report image(String file, String caption, Consumer<Path> draw) {
    checkFileName(file);
    current().blocks.add(new Image(file, caption, draw));
    return this;
  }

  /**
   * A confusion matrix [K,K] (rows = true class, columns = predicted): a table of the counts in report.md, the counts
   * as numbers in report.json ({@code "matrices"}), and a heatmap with counts drawn to {@code file}.
   */
  public Report confusionMatrix(String file, String caption, List<String> labels, long[][] counts) {
    if (counts.length != labels.size()) {
      throw new JbertException("confusion matrix '" + caption + "' has " + counts.length + " rows: expected "
          + labels.size() + " as the labels " + labels);
    }
    long[][] copy = new long[counts.length][];
    for (int i = 0; i < counts.length; i++) {
      if (counts[i].length != labels.size()) {
        throw new JbertException("confusion matrix '" + caption + "' row " + i + " has " + counts[i].length
            + " columns: expected " + labels.size());
      }
      copy[i] = counts[i].clone();
    }
    List<String> names = List.copyOf(labels);
    checkFileName(file);
    current().blocks.add(new Matrix(caption, names, copy, "true", "predicted"));
    return image(file, caption, p -> Plots.heatmap(p, caption, names, copy, "true", "predicted"));
  }

  /**
   * Per-layer parity differences: bars of max abs and mean abs difference per layer on a log axis, with the tolerance
   * as a dashed line, drawn to {@code file}.
   */
  public Report layerDiffs(String file, String caption, List<String> layers, double[] maxAbs, double[] meanAbs,
      double tolerance) {
    Map<String, double[]> series = new LinkedHashMap<>();
    series.put("max abs diff", maxAbs.clone());
    series.put("mean abs diff", meanAbs.clone());
    List<String> names = List.copyOf(layers);
    return image(file, caption, p -> Plots.logBars(p, caption, "|jbert - reference|", names, series, tolerance,
        "tolerance"));
  }

  /**
   * Classification results: accuracy, macro and micro precision/recall/F1, weighted F1 and MCC as metrics, a
   * per-class table, and the confusion matrix (see {@link #confusionMatrix}) drawn to {@code confusionPng} (null for
   * none).
   */
  public Report classification(ClassificationMetrics m, String confusionPng) {
    metric("accuracy", m.accuracy());
    metric("macro_precision", m.macro().precision());
    metric("macro_recall", m.macro().recall());
    metric("macro_f1", m.macro().f1());
    metric("micro_precision", m.micro().precision());
    metric("micro_recall", m.micro().recall());
    metric("micro_f1", m.micro().f1());
    metric("weighted_f1", m.weighted().f1());
    metric("mcc", m.mcc());
    List<List<String>> rows = new ArrayList<>();
    for (ClassificationMetrics.ClassScores s : m.perClass()) {
      rows.add(List.of(s.label(), fmt(s.precision()), fmt(s.recall()), fmt(s.f1()), Long.toString(s.support())));
    }
    ClassificationMetrics.Average a = m.macro();
    rows.add(List.of("macro avg", fmt(a.precision()), fmt(a.recall()), fmt(a.f1()), Long.toString(m.count())));
    table("Per class", List.of("class", "precision", "recall", "f1", "support"), rows);
    if (confusionPng != null) confusionMatrix(confusionPng, "Confusion matrix", m.labels(), m.confusionMatrix());
    return this;
  }

  /** Entity-level results (seqeval): micro precision/recall/F1 and token accuracy as metrics, a per-type table. */
  public Report entities(EntityMetrics m) {
    EntityMetrics.Scores micro = m.micro();
    metric("precision", micro.precision());
    metric("recall", micro.recall());
    metric("f1", micro.f1());
    metric("token_accuracy", m.tokenAccuracy());
    List<List<String>> rows = new ArrayList<>();
    List<EntityMetrics.Scores> all = new ArrayList<>(m.perType());
    all.add(micro);
    all.add(m.macro());
    all.add(m.weighted());
    for (EntityMetrics.Scores s : all) {
      rows.add(List.of(s.name(), fmt(s.precision()), fmt(s.recall()), fmt(s.f1()), Long.toString(s.support())));
    }
    return table("Per entity type", List.of("type", "precision", "recall", "f1", "support"), rows);
  }

  /** The metrics of the section being built, by name in the order they were added (a copy; empty if none). */
  public Map<String, Double> sectionMetrics() {
    if (sections.isEmpty()) return Map.of();
    return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(current().metrics));
  }

  /** True if every check of every section passed (true for a report without checks). */
  public boolean allPassed() {
    return sections.stream().allMatch(Section::allPassed);
  }

  /** All checks in order. */
  public List<Check> checks() {
    return sections.stream().flatMap(s -> s.checks.stream()).toList();
  }

  /** The checks that failed. */
  public List<Check> failures() {
    return checks().stream().filter(c -> !c.passed()).toList();
  }

  /**
   * Writes the plots, {@code report.json} and {@code report.md} into {@code dir} (created if needed), all of them or
   * none ({@link AtomicFiles#writeAll}), and returns the path of report.md.
   */
  public Path write(Path dir) {
    Map<Path, AtomicFiles.FileBody> files = new LinkedHashMap<>();
    for (Section s : sections) {
      for (Object b : s.blocks) {
        if (b instanceof Image img && img.draw() != null) files.put(dir.resolve(img.file()), img.draw()::accept);
      }
    }
    files.put(dir.resolve(JSON), AtomicFiles.stream(o -> o.write(toJson().getBytes(StandardCharsets.UTF_8))));
    files.put(dir.resolve(MARKDOWN), AtomicFiles.stream(o -> o.write(toMarkdown().getBytes(StandardCharsets.UTF_8))));
    AtomicFiles.writeAll(files);
    return dir.resolve(MARKDOWN);
  }

  /** The report as Markdown. */
  public String toMarkdown() {
    StringBuilder md = new StringBuilder();
    List<Check> all = checks();
    long passed = all.stream().filter(Check::passed).count();
    md.append("# ").append(title).append("\n\n");
    md.append("**").append(allPassed() ? "PASS" : "FAIL").append("**: ").append(passed).append(" of ")
        .append(all.size()).append(" checks passed.\n\n");
    for (Section s : sections) {
      md.append("## ").append(s.title).append("\n\n");
      if (!s.checks.isEmpty()) {
        md.append("| check | result | measured | bound | note |\n|---|---|---|---|---|\n");
        for (Check c : s.checks) {
          String bound = Double.isNaN(c.tolerance()) ? "" : (c.comparison() + " " + fmt(c.tolerance())).trim();
          md.append("| ").append(cell(c.name())).append(" | ").append(c.passed() ? "PASS" : "**FAIL**")
              .append(" | ").append(Double.isNaN(c.measured()) ? "" : fmt(c.measured())).append(" | ")
              .append(cell(bound)).append(" | ").append(cell(c.note())).append(" |\n");
        }
        md.append('\n');
      }
      for (Object b : s.blocks) {
        if (b == METRICS_MARK) {
          md.append("| metric | value |\n|---|---|\n");
          s.metrics.forEach((k, v) -> md.append("| ").append(cell(k)).append(" | ").append(fmt(v)).append(" |\n"));
          md.append('\n');
        } else if (b instanceof String text) {
          md.append(text.strip()).append("\n\n");
        } else if (b instanceof Table t) {
          if (t.title() != null && !t.title().isBlank()) md.append("**").append(t.title()).append("**\n\n");
          md.append('|');
          for (String h : t.header()) md.append(' ').append(cell(h)).append(" |");
          md.append("\n|").append("---|".repeat(t.header().size())).append('\n');
          for (List<String> row : t.rows()) {
            md.append('|');
            for (String c : row) md.append(' ').append(cell(c)).append(" |");
            md.append('\n');
          }
          md.append('\n');
        } else if (b instanceof Matrix mx) {
          md.append("**").append(cell(mx.title())).append("** (rows: ").append(mx.rowTitle()).append(", columns: ")
              .append(mx.colTitle()).append(")\n\n| ").append(mx.rowTitle()).append(" / ").append(mx.colTitle())
              .append(" |");
          for (String l : mx.labels()) md.append(' ').append(cell(l)).append(" |");
          md.append("\n|").append("---|".repeat(mx.labels().size() + 1)).append('\n');
          for (int i = 0; i < mx.counts().length; i++) {
            md.append("| ").append(cell(mx.labels().get(i))).append(" |");
            for (long v : mx.counts()[i]) md.append(' ').append(v).append(" |");
            md.append('\n');
          }
          md.append('\n');
        } else if (b instanceof Image img) {
          md.append("![").append(cell(img.caption())).append("](").append(img.file()).append(")\n\n");
        }
      }
    }
    return md.toString();
  }

  /** The report as JSON (see the class comment for the layout). */
  public String toJson() {
    ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = om.createObjectNode();
    List<Check> all = checks();
    root.put("title", title);
    root.put("all_passed", allPassed());
    root.put("checks_passed", all.stream().filter(Check::passed).count());
    root.put("checks_total", all.size());
    ArrayNode secs = root.putArray("sections");
    for (Section s : sections) {
      ObjectNode sn = secs.addObject();
      sn.put("title", s.title);
      sn.put("all_passed", s.allPassed());
      ArrayNode checks = sn.putArray("checks");
      for (Check c : s.checks) {
        ObjectNode cn = checks.addObject();
        cn.put("name", c.name());
        cn.put("passed", c.passed());
        number(cn, "measured", c.measured());
        number(cn, "tolerance", c.tolerance());
        cn.put("comparison", c.comparison());
        cn.put("note", c.note());
      }
      ObjectNode metrics = sn.putObject("metrics");
      s.metrics.forEach((k, v) -> number(metrics, k, v));
      ArrayNode tables = sn.putArray("tables"), images = sn.putArray("images"), text = sn.putArray("text");
      ArrayNode matrices = sn.putArray("matrices");
      for (Object b : s.blocks) {
        if (b instanceof Table t) {
          ObjectNode tn = tables.addObject();
          tn.put("title", t.title());
          ArrayNode h = tn.putArray("header");
          t.header().forEach(h::add);
          ArrayNode rows = tn.putArray("rows");
          for (List<String> row : t.rows()) {
            ArrayNode r = rows.addArray();
            row.forEach(r::add);
          }
        } else if (b instanceof Matrix mx) {
          ObjectNode mn = matrices.addObject();
          mn.put("title", mx.title());
          mn.put("rows", mx.rowTitle());
          mn.put("columns", mx.colTitle());
          ArrayNode labels = mn.putArray("labels");
          mx.labels().forEach(labels::add);
          ArrayNode counts = mn.putArray("counts");
          for (long[] row : mx.counts()) {
            ArrayNode r = counts.addArray();
            for (long v : row) r.add(v);
          }
        } else if (b instanceof Image img) {
          images.addObject().put("file", img.file()).put("caption", img.caption());
        } else if (b instanceof String str) {
          text.add(str);
        }
      }
    }
    try {
      return om.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize report", e);
    }
  }

  private static void number(ObjectNode n, String key, double v) {
    if (Double.isFinite(v)) n.put(key, v);
    else n.putNull(key);
  }

  private static void checkFileName(String file) {
    if (file == null || file.isBlank() || file.contains("/") || file.contains("\\") || file.startsWith(".")) {
      throw new JbertException("report image '" + file + "': expected a plain file name inside the report folder");
    }
  }

  private static String cell(String s) {
    return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
  }

  static String fmt(double v) {
    if (Double.isNaN(v)) return "NaN";
    if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
    if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
    double a = Math.abs(v);
    if (a < 1e-3 || a >= 1e6) return String.format(Locale.ROOT, "%.3e", v);
    return String.format(Locale.ROOT, "%.4f", v);
  }
}
