package org.jbert.core.train;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jbert.core.io.AtomicFiles;

/** The Markdown report at the end of a run: the resolved config, final metrics, wall time and the plots. */
public final class RunReport {
  private RunReport() {}

  /**
   * Writes {@code report.md} in {@code runDir} (atomically) and returns its path.
   *
   * @param title heading, e.g. "Fine-tuning run"
   * @param configYaml the resolved config as written to {@code config.resolved.yaml}
   * @param metrics final metrics in display order (e.g. step, loss, eval_accuracy)
   * @param wall wall time of this process's training (a resumed run counts from the resume)
   * @param earlier training time of the earlier processes of a resumed run, up to the checkpoint it resumed from
   *     (zero for a run in one process)
   * @param firstStep the first step this process ran (1 unless resumed)
   * @param plots PNG files in {@code runDir}, embedded in order
   */
  public static Path write(Path runDir, String title, String configYaml, Map<String, ? extends Number> metrics,
      Duration wall, Duration earlier, long firstStep, List<String> plots) {
    StringBuilder md = new StringBuilder();
    md.append("# ").append(title).append("\n\n");
    md.append("Wall time: ").append(ProgressBar.duration(wall.plus(earlier).toMillis() / 1000.0));
    if (firstStep > 1) {
      md.append(" (resumed at step ").append(firstStep).append(": ")
          .append(ProgressBar.duration(earlier.toMillis() / 1000.0)).append(" before the checkpoint, ")
          .append(ProgressBar.duration(wall.toMillis() / 1000.0)).append(" in this process)");
    }
    md.append("\n\n");
    md.append("## Final metrics\n\n| metric | value |\n|---|---|\n");
    for (Map.Entry<String, ? extends Number> e : metrics.entrySet()) {
      Number v = e.getValue();
      String s = v instanceof Long || v instanceof Integer ? v.toString()
          : String.format(Locale.ROOT, "%.6g", v.doubleValue());
      md.append("| ").append(e.getKey()).append(" | ").append(s).append(" |\n");
    }
    md.append("\n## Plots\n\n");
    for (String p : plots) md.append("![").append(p.replace(".png", "")).append("](").append(p).append(")\n\n");
    md.append("## Config\n\n```yaml\n").append(configYaml.strip()).append("\n```\n");
    Path file = runDir.resolve("report.md");
    byte[] bytes = md.toString().getBytes(StandardCharsets.UTF_8);
    AtomicFiles.write(file, out -> out.write(bytes));
    return file;
  }
}
