package org.jbert.core.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Training progress on the terminal: {@code [=======>      ] 120/1000  12%  loss 0.4321  lr 4.50e-05  ETA 3m12s}.
 * On a terminal the line is rewritten in place with {@code \r}; otherwise (a log file, CI) each update prints a plain
 * line, and the caller updates only every {@code log_every} steps. The ETA extrapolates the time per step measured
 * since this bar started (a resumed run does not count the steps done before it).
 */
public final class ProgressBar {
  private static final int WIDTH = 30;

  private final PrintStream out;
  private final long total;
  private final boolean tty;
  private final LongSupplier nanos;
  private final long startNanos;
  private final long startStep;
  private int lastLength;

  /** A bar on standard output; rewrites in place when it is a console ({@code System.console() != null}). */
  public static ProgressBar stdout(long startStep, long total) {
    return new ProgressBar(System.out, startStep, total, System.console() != null, System::nanoTime);
  }

  /**
   * A bar for steps {@code startStep+1 .. total} ({@code startStep} is where a resumed run starts, else 0), timed by
   * {@code nanos}.
   */
  public ProgressBar(PrintStream out, long startStep, long total, boolean tty, LongSupplier nanos) {
    this.out = out;
    this.startStep = startStep;
    this.total = Math.max(1, total);
    this.tty = tty;
    this.nanos = nanos;
    this.startNanos = nanos.getAsLong();
  }

  /** Shows {@code step} of the total with the latest loss and learning rate. */
  public void update(long step, double loss, double lr) {
    String line = line(step, loss, lr);
    if (tty) {
      int pad = Math.max(0, lastLength - line.length());
      out.print("\r" + line + " ".repeat(pad));
      lastLength = line.length();
    } else {
      out.println(line);
    }
    out.flush();
  }

  /** Ends the in-place line with a newline (nothing to do when not a terminal). */
  public void finish() {
    if (tty && lastLength > 0) out.println();
    out.flush();
  }

  String line(long step, double loss, double lr) {
    int filled = (int) (WIDTH * Math.min(step, total) / total);
    StringBuilder bar = new StringBuilder("[");
    for (int i = 0; i < WIDTH; i++) bar.append(i < filled ? '=' : i == filled ? '>' : ' ');
    bar.append(']');
    if (filled == WIDTH) bar.setCharAt(WIDTH, '=');
    long done = step - startStep;
    double elapsed = (nanos.getAsLong() - startNanos) / 1e9;
    String eta = done > 0 ? duration(elapsed / done * (total - step)) : "?";
    return String.format(Locale.ROOT, "%s %d/%d %3d%%  loss %.4f  lr %.2e  ETA %s", bar, step, total,
        100 * step / total, loss, lr, eta);
  }

  /** {@code 45s}, {@code 3m12s}, {@code 2h05m}. */
  static String duration(double seconds) {
    long s = Math.round(seconds);
    if (s < 60) return s + "s";
    if (s < 3600) return (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s";
    return (s / 3600) + "h" + String.format(Locale.ROOT, "%02d", (s % 3600) / 60) + "m";
  }
}
