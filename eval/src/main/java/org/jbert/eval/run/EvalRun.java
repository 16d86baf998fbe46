package org.jbert.eval.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jbert.core.JbertException;
import org.jbert.core.config.yaml.YamlBinder;
import org.jbert.core.io.AtomicFiles;
import org.jbert.core.model.Bert;
import org.jbert.core.model.PretrainedModels;
import org.jbert.core.tokenize.Features;
import org.jbert.core.weights.WeightSources;
import org.jbert.eval.report.Check;
import org.jbert.eval.report.Report;
import org.jbert.eval.tf.TfParity;
import org.jbert.eval.tf.ReferenceEncoder;

/**
 * {@code jbert eval CONFIG.yaml}: runs the configured check groups ({@link EvalConfig.Group}) and writes
 * {@code report.md}, {@code report.json}, the plots and {@code config.resolved.yaml} into the output folder: the
 * groups on {@code model} (embedding, parity, import paths; the model is loaded once, TensorFlow and the float64
 * referee after it, one at a time), the backend, the task metrics of a fine-tuned model ({@link TaskGroup}) and a
 * training run's loss curves ({@link LossCurves}).
 */
public final class EvalRun {
  /** The resolved config's file name in the output folder. */
  public static final String RESOLVED = "config.resolved.yaml";

  private EvalRun() {}

  /** What a run produced. */
  public record Outcome(Report report, Path reportFile) {
    public boolean passed() {
      return report.allPassed();
    }
  }

  /**
   * Runs {@code c}, logging progress to {@code log}. A run folder's metrics.jsonl is read first (a bad file fails
   * before anything long runs); {@code model} is loaded only when a group uses it.
   */
  public static Outcome run(EvalConfig config, PrintStream log) {
    EvalConfig c = config.resolved();
    LossCurves curves = c.checks().contains(EvalConfig.Group.LOSS_CURVES) ? LossCurves.read(c.runDir().orElseThrow())
        : null;
    Report report = new Report("jbert eval: " + subject(c));
    log.printf("jbert eval: %s, checks %s%n", subject(c), c.checks().toString().toLowerCase(Locale.ROOT));
    if (c.task().isPresent() && !c.checks().contains(EvalConfig.Group.TASK)) {
      log.println("jbert eval: the task: section is not used (checks has no task)");
    }
    if (c.runDir().isPresent() && !c.checks().contains(EvalConfig.Group.LOSS_CURVES)) {
      log.println("jbert eval: run_dir is not used (checks has no loss_curves)");
    }
    Bert bert = null;
    ModelInputs in = null;
    try {
      for (EvalConfig.Group g : c.checks()) {
        if (g.usesModel() && bert == null) {
          in = ModelInputs.of(c, report, log);
          bert = Bert.load(c.model());
        }
        switch (g) {
          case EMBEDDING -> {
            log.println("jbert eval: embedding checks");
            report.section("Embedding checks (the TF Hub article)");
            EmbeddingChecks.run(bert, in.texts(), c.seqLength(),
                EmbeddingChecks.Expected.of(bert.model(), in.texts().size(), c.seqLength()), c.paddingTolerance())
                .forEach(report::check);
          }
          case PARITY -> parity(c, bert, in.folder(), in.format(), in.texts(), report, log);
          case IMPORT_PATHS -> importPaths(c, bert, in.format(), in.texts(), report, log);
          case BACKEND -> {
            report.section("Backend");
            BackendInfo info = BackendInfo.current();
            report.check(info.check(c.backend()));
            report.table("", List.of("property", "value"), info.rows());
          }
          case TASK -> TaskGroup.run(c.task().orElseThrow(), report, log);
          case LOSS_CURVES -> curves.addTo(report);
        }
      }
    } finally {
      if (bert != null) bert.close();
    }
    Path file = report.write(c.outputDir());
    AtomicFiles.write(c.outputDir().resolve(RESOLVED),
        out -> out.write(YamlBinder.toYaml(c).getBytes(StandardCharsets.UTF_8)));
    return new Outcome(report, file);
  }

  /** What the report is about: the model, else the task model, else the run folder. */
  private static String subject(EvalConfig c) {
    if (c.usesModel()) return c.model();
    if (c.checks().contains(EvalConfig.Group.TASK)) return c.task().orElseThrow().model();
    if (c.checks().contains(EvalConfig.Group.LOSS_CURVES)) return c.runDir().orElseThrow().toString();
    return "backend";
  }

  /** The model folder, its format and the texts of the model groups; adds the "Model and inputs" section. */
  private record ModelInputs(Path folder, WeightSources.Format format, List<String> texts) {
    static ModelInputs of(EvalConfig c, Report report, PrintStream log) {
      List<String> texts = c.texts().load();
      Path folder = PretrainedModels.folder(c.model());
      WeightSources.Format format = WeightSources.detect(folder);
      report.section("Model and inputs");
      report.table("", List.of("item", "value"), List.of(
          List.of("model", c.model()), List.of("folder", folder.toString()),
          List.of("format", format.name().toLowerCase(Locale.ROOT)),
          List.of("texts", texts.size() + (c.texts().article() ? " (the article's three sentences first)" : "")),
          List.of("seq_length", Integer.toString(c.seqLength())),
          List.of("tolerance (parity)", Double.toString(c.tolerance())),
          List.of("tolerance (padding)", Double.toString(c.paddingTolerance())),
          List.of("checks", c.checks().toString().toLowerCase(Locale.ROOT))));
      log.printf("jbert eval: %s (%s), %d texts, T=%d%n", c.model(), format, texts.size(), c.seqLength());
      return new ModelInputs(folder, format, texts);
    }
  }

  private static void parity(EvalConfig c, Bert bert, Path folder, WeightSources.Format format, List<String> texts,
      Report report, PrintStream log) {
    report.section("Parity against TensorFlow");
    if (format != WeightSources.Format.SAVED_MODEL) {
      report.text("Skipped: the model is a " + format.name().toLowerCase(Locale.ROOT) + " folder; parity runs"
          + " TensorFlow on a SavedModel (e.g. model: bert-base-uncased) and compares every layer.");
      log.println("jbert eval: parity skipped (not a SavedModel)");
      return;
    }
    ReferenceEncoder.Provider provider = ReferenceEncoder.provider().orElse(null);
    if (provider == null) {
      report.check(Check.of("parity against TensorFlow", false, "TensorFlow Java is not on the class path: add"
          + " org.jbert:jbert-tf-reference (bin/jbert has it)"));
      log.println("jbert eval: parity not run: no TensorFlow reference (org.jbert:jbert-tf-reference) on the class path");
      return;
    }
    log.println("jbert eval: parity: TensorFlow, jbert, float64 referee");
    Features f;
    Map<String, float[]> tf;
    try (ReferenceEncoder ref = provider.open(folder)) {
      int t = ref.seqLen() > 0 ? ref.seqLen() : c.seqLength();
      f = bert.preprocess(texts, null, t, false);
      tf = ref.outputs(f);
    }
    Map<String, double[]> f64 = TfParity.float64(folder, f, tf.keySet());
    List<TfParity.Diff> diffs = ParityChecks.measure(bert.model(), f, tf, f64, c.tolerance());
    report.text(String.format(Locale.ROOT, "%d texts at T=%d (the SavedModel's input length), every output at"
        + " all B x T positions.", f.batchSize(), f.seqLength()));
    ParityChecks.addTo(report, diffs, c.tolerance());
    log.print(TfParity.table(diffs));
  }

  private static void importPaths(EvalConfig c, Bert bert, WeightSources.Format format, List<String> texts,
      Report report, PrintStream log) {
    log.println("jbert eval: import paths: safetensors export and reload");
    report.section("Import paths");
    Features f = bert.preprocess(texts, null, c.seqLength(), false);
    Map<String, float[]> ref = TfParity.jbertOutputs(bert.model(), f);
    Path tmp;
    try {
      tmp = Files.createTempDirectory("jbert-eval-export");
    } catch (IOException e) {
      throw new JbertException("cannot create a temporary folder for the safetensors export (" + e.getMessage() + ")",
          e);
    }
    try {
      Path hf = tmp.resolve("hf");
      bert.model().exportHuggingFace(hf);
      Map<String, float[]> back;
      try (Bert b2 = Bert.load(hf.toString())) {
        back = TfParity.jbertOutputs(b2.model(), f);
      }
      List<List<String>> rows = new ArrayList<>();
      double worst = 0;
      String worstName = "";
      for (String name : ref.keySet()) {
        float[] a = ref.get(name), b = back.get(name);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
          double d = Math.abs((double) a[i] - b[i]);
          max = Math.max(max, Double.isNaN(d) ? Double.POSITIVE_INFINITY : d);
        }
        rows.add(List.of(name, String.format(Locale.ROOT, "%.3e", max)));
        if (max > worst || worstName.isEmpty()) {
          worst = max;
          worstName = name;
        }
      }
      report.check(new Check(format.name().toLowerCase(Locale.ROOT) + " == safetensors export", worst == 0, worst,
          0, "==", ref.size() + " outputs compared exactly; " + (worst == 0 ? "all bit-identical"
              : "largest difference in " + worstName)));
      report.table("max |" + format.name().toLowerCase(Locale.ROOT) + " - safetensors export| per output",
          List.of("output", "max abs"), rows);
    } finally {
      AtomicFiles.deleteTree(tmp);
    }
  }

  /** One line per failed check, for the console. */
  public static List<String> failureLines(Report r) {
    List<String> out = new ArrayList<>();
    for (Check ch : r.failures()) {
      String measured = Double.isNaN(ch.measured()) ? "" : String.format(Locale.ROOT, " measured %.3e %s %.3e",
          ch.measured(), ch.comparison(), ch.tolerance());
      String note = ch.note().length() > 200 ? ch.note().substring(0, 200) + "..." : ch.note();
      out.add("FAIL " + ch.name() + measured + (note.isEmpty() ? "" : " (" + note + ")"));
    }
    return out;
  }

}
