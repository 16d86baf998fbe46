package org.jbert.core.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jbert.core.JbertException;
import org.jbert.core.io.AtomicFiles;
import org.jbert.core.io.JsonLines;

/**
 * {@code metrics.jsonl}: one JSON object per logged step ({@code step}, {@code loss}, {@code lr}, and whatever else
 * was measured then, e.g. {@code grad_norm} or eval metrics such as {@code eval_accuracy}), each line flushed as it
 * is written, so {@code tail -f} and a crash both see whole lines. Non-finite numbers are written as the strings
 * {@code "NaN"}, {@code "Infinity"}.
 */
public final class MetricsLog implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final BufferedWriter out;

  private MetricsLog(Path file, BufferedWriter out) {
    this.file = file;
    this.out = out;
  }

  /**
   * Opens {@code file} for appending. Lines of steps after {@code keepUpToStep} (logged after the checkpoint a run
   * resumes from) are dropped first, atomically, so the resumed run does not log them twice; {@code -1} keeps
   * nothing, {@link Long#MAX_VALUE} everything.
   */
  public static MetricsLog open(Path file, long keepUpToStep) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      if (Files.exists(file)) {
        List<ObjectNode> kept = new ArrayList<>();
        for (ObjectNode l : read(file)) if (l.path("step").asLong(Long.MAX_VALUE) <= keepUpToStep) kept.add(l);
        AtomicFiles.write(file, o -> {
          for (ObjectNode l : kept) o.write((JSON.writeValueAsString(l) + "\n").getBytes(StandardCharsets.UTF_8));
        });
      }
      return new MetricsLog(file, Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND));
    } catch (IOException e) {
      throw new JbertException(file + ": cannot open metrics log (" + e.getMessage() + ")", e);
    }
  }

  public Path file() {
    return file;
  }

  /** Appends {@code {"step": step, "loss": loss, "lr": lr, ...extra}} and flushes. */
  public void log(long step, double loss, double lr, Map<String, ? extends Number> extra) {
    ObjectNode o = JSON.createObjectNode();
    o.put("step", step);
    o.put("loss", loss);
    o.put("lr", lr);
    for (Map.Entry<String, ? extends Number> e : extra.entrySet()) o.put(e.getKey(), e.getValue().doubleValue());
    write(o);
  }

  /** Appends any object as one line and flushes. */
  public void write(ObjectNode line) {
    try {
      out.write(JSON.writeValueAsString(line));
      out.write('\n');
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot append metrics", e);
    }
  }

  /** Every line of a metrics file. */
  public static List<ObjectNode> read(Path file) {
    List<ObjectNode> lines = new ArrayList<>();
    try (JsonLines in = JsonLines.open(file)) {
      in.forEach(l -> lines.add(l.json()));
    }
    return lines;
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException ignored) {
      // every line was flushed when written
    }
  }
}
