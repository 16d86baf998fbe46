package org.jbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import picocli.CommandLine;

/** Runs the jbert CLI in-process for tests, capturing its standard error. */
public final class CliRun {
  private CliRun() {}

  /** Exit status and standard error of one run. */
  public record Result(int code, String err) {}

  /** Runs {@code args} through {@link Main}'s command line (with its error handler). */
  public static Result run(String... args) {
    CommandLine cl = Main.newCommandLine();
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Result(code, err.toString());
  }

  /** Asserts exit status {@link Main#BAD_INPUT} and a one-line message (no stack trace) containing every part. */
  public static void assertOneLineError(Result r, String... parts) {
    assertEquals(Main.BAD_INPUT, r.code());
    String err = r.err().strip();
    assertFalse(err.contains("\n"), "one line, no stack trace: " + err);
    for (String p : parts) assertTrue(err.contains(p), "'" + err + "' should mention " + p);
  }

  /** {@code a} followed by {@code b}. */
  public static String[] concat(String[] a, String[] b) {
    String[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
