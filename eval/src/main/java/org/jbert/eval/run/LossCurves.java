package org.jbert.eval.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jbert.core.JbertException;
import org.jbert.core.io.JsonLines;
import org.jbert.core.train.Plots;
import org.jbert.eval.report.Report;

/**
 * The loss_curves group of {@code jbert eval}: a training run's {@code metrics.jsonl} (one JSON object per logged
 * step, as core's Trainer writes it: {@code step}, {@code loss}, {@code lr}, and {@code eval_*} metrics at evaluation
 * steps) as a report section: the training-loss curve and one curve per eval metric (PNG, drawn by core's {@link
 * Plots}), and a table of first, last, min and max per series.
 *
 * <p>Read strictly: every line needs an integer {@code step} greater than the line before it and a numeric {@code
 * loss} (the strings "NaN" and "Infinity" that the Trainer writes for non-finite values count as numbers); an {@code
 * eval_*} value must be a number too. Anything else is a one-line error naming {@code file:line}.
 */
public final class LossCurves {
  /** The file a run folder holds. */
  public static final String METRICS_FILE = "metrics.jsonl";
  /** File name of the training-loss plot in the report folder. */
  public static final String LOSS_PNG = "loss-curve.png";

  /** One logged quantity: its steps and values (NaN for a non-finite value). */
  public record Series(String name, long[] steps, double[] values) {
    public double first() {
      return values[0];
    }

    public double last() {
      return values[values.length - 1];
    }

    /** The smallest finite value (NaN when there is none). */
    public double min() {
      double m = Double.NaN;
      for (double v : values) if (Double.isFinite(v) && !(v >= m)) m = v;
      return m;
    }

    /** The largest finite value (NaN when there is none). */
    public double max() {
      double m = Double.NaN;
      for (double v : values) if (Double.isFinite(v) && !(v <= m)) m = v;
      return m;
    }

    /** The step of the smallest finite value (-1 when there is none). */
    public long stepOfMin() {
      double m = min();
      for (int i = 0; i < values.length; i++) if (values[i] == m) return steps[i];
      return -1;
    }
  }

  private final Path file;
  private final Series loss;
  private final List<Series> eval;

  private LossCurves(Path file, Series loss, List<Series> eval) {
    this.file = file;
    this.loss = loss;
    this.eval = eval;
  }

  /** Reads {@code runDir/metrics.jsonl}; see the class comment for what is checked. */
  public static LossCurves read(Path runDir) {
    Path file = runDir.resolve(METRICS_FILE);
    if (!Files.isRegularFile(file)) {
      throw new JbertException("run_dir " + runDir + ": " + file + " not found; expected the output_dir of a"
          + " bin/jbert run, which holds " + METRICS_FILE);
    }
    List<Long> steps = new ArrayList<>();
    List<Double> losses = new ArrayList<>();
    Map<String, List<Long>> evalSteps = new LinkedHashMap<>();
    Map<String, List<Double>> evalValues = new LinkedHashMap<>();
    try (JsonLines in = JsonLines.open(file)) {
      for (JsonLines.Line line = in.next(); line != null; line = in.next()) {
        JsonNode s = line.json().get("step");
        if (s == null || !s.isIntegralNumber() || !s.canConvertToLong() || s.longValue() < 0) {
          throw new JbertException(line.where() + ": \"step\" is " + (s == null ? "missing" : s)
              + "; expected the optimizer step, an integer >= 0");
        }
        long step = s.longValue();
        if (!steps.isEmpty() && step <= steps.get(steps.size() - 1)) {
          throw new JbertException(line.where() + ": step " + step + " after step " + steps.get(steps.size() - 1)
              + "; expected increasing steps (one run's log)");
        }
        steps.add(step);
        losses.add(number(line, "loss", true));
        for (Iterator<String> it = line.json().fieldNames(); it.hasNext(); ) {
          String key = it.next();
          if (!key.startsWith("eval_")) continue;
          double v = number(line, key, false);
          evalSteps.computeIfAbsent(key, k -> new ArrayList<>()).add(step);
          evalValues.computeIfAbsent(key, k -> new ArrayList<>()).add(v);
        }
      }
    }
    if (steps.isEmpty()) {
      throw new JbertException(file + ": no logged steps; expected one JSON object per logged step");
    }
    Series loss = new Series("loss", steps.stream().mapToLong(Long::longValue).toArray(),
        losses.stream().mapToDouble(Double::doubleValue).toArray());
    List<Series> eval = new ArrayList<>();
    for (String key : evalSteps.keySet()) {
      eval.add(new Series(key, evalSteps.get(key).stream().mapToLong(Long::longValue).toArray(),
          evalValues.get(key).stream().mapToDouble(Double::doubleValue).toArray()));
    }
    return new LossCurves(file, loss, List.copyOf(eval));
  }

  /** A number field; the Trainer's strings for non-finite values are NaN here (they are not drawn). */
  private static double number(JsonLines.Line line, String key, boolean required) {
    JsonNode v = line.json().get(key);
    if (v == null || v.isNull()) {
      if (!required) return Double.NaN;
      throw new JbertException(line.where() + ": \"" + key + "\" is missing; expected the training loss (a number)");
    }
    if (v.isNumber()) return v.doubleValue();
    if (v.isTextual() && List.of("NaN", "Infinity", "-Infinity").contains(v.asText())) return Double.NaN;
    throw new JbertException(line.where() + ": \"" + key + "\" is " + v + "; expected a number");
  }

  public Path file() {
    return file;
  }

  /** The training loss at every logged step. */
  public Series loss() {
    return loss;
  }

  /** The eval metrics ({@code eval_*} keys) in the order they first appear, each at the steps it was logged. */
  public List<Series> eval() {
    return eval;
  }

  /**
   * Adds a section: a table of first / last / min / max per series, loss_first, loss_last and loss_min as metrics (and
   * the last value of each eval metric as {@code <name>_last}), the training-loss curve ({@link #LOSS_PNG}) and one
   * curve per eval metric ({@code curve-<name>.png}).
   */
  public void addTo(Report report) {
    report.section("Loss curves");
    report.text("From " + file + ": " + loss.steps().length + " logged steps, " + loss.steps()[0] + " to "
        + loss.steps()[loss.steps().length - 1] + ".");
    List<List<String>> rows = new ArrayList<>();
    for (Series s : all()) {
      rows.add(List.of(s.name(), Integer.toString(s.values().length), fmt(s.first()), fmt(s.last()), fmt(s.min()),
          s.stepOfMin() < 0 ? "" : Long.toString(s.stepOfMin()), fmt(s.max())));
    }
    report.table("", List.of("series", "points", "first", "last", "min", "min at step", "max"), rows);
    report.metric("loss_first", loss.first());
    report.metric("loss_last", loss.last());
    report.metric("loss_min", loss.min());
    for (Series s : eval) report.metric(s.name() + "_last", s.last());
    report.image(LOSS_PNG, "Training loss", p -> Plots.line(p, "Training loss", "loss", loss.steps(), loss.values()));
    for (Series s : eval) {
      String png = "curve-" + s.name().replaceAll("[^A-Za-z0-9_-]", "_") + ".png";
      report.image(png, s.name(), p -> Plots.line(p, s.name(), s.name(), s.steps(), s.values()));
    }
  }

  private List<Series> all() {
    List<Series> out = new ArrayList<>();
    out.add(loss);
    out.addAll(eval);
    return out;
  }

  private static String fmt(double v) {
    if (Double.isNaN(v)) return "NaN";
    return String.format(Locale.ROOT, "%.4g", v);
  }
}
