package org.jbert.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.jbert.core.JbertException;

/**
 * Runs a measurement in a child JVM so that its peak resident set (VmHWM) belongs to that measurement alone: same
 * {@code java}, same class path, the parent's JVM options (heap, {@code -Dorg.bytedeco.javacpp.maxphysicalbytes},
 * logging, ...) minus debugger and agent options. The child prints its result as one line starting with a marker on
 * standard output; every other line of its output is passed on to the parent's progress stream.
 */
public final class ChildJvm {
  private ChildJvm() {}

  /** A finished child: exit status, its result line (marker included) if it printed one, its last stderr lines. */
  public record Outcome(int exitCode, Optional<String> resultLine, List<String> stderrTail) {
    /** The last non-blank stderr line, or a placeholder, for one-line failure notes. */
    public String lastError() {
      for (int i = stderrTail.size() - 1; i >= 0; i--) {
        if (!stderrTail.get(i).isBlank()) return stderrTail.get(i).strip();
      }
      return "(no error output)";
    }
  }

  /** Lines of stderr kept for failure notes. */
  private static final int TAIL = 20;

  /**
   * The parent's JVM options worth forwarding: all of {@code inputArgs} except agents and debuggers
   * ({@code -agentlib:}, {@code -agentpath:}, {@code -javaagent:}, {@code -Xrunjdwp}, {@code -Xdebug}), which would
   * clash on ports or output files.
   */
  public static List<String> forwardedJvmArgs(List<String> inputArgs) {
    List<String> out = new ArrayList<>();
    for (String a : inputArgs) {
      if (a.startsWith("-agentlib:") || a.startsWith("-agentpath:") || a.startsWith("-javaagent:")
          || a.startsWith("-Xrunjdwp") || a.equals("-Xdebug")) {
        continue;
      }
      out.add(a);
    }
    return out;
  }

  /**
   * {@code command} with its javacpp platform extension option ({@code -Dorg.bytedeco.javacpp.platform.extension=})
   * replaced by {@code extension}; unchanged when {@code extension} is null.
   */
  public static List<String> withPlatformExtension(List<String> command, String extension) {
    if (extension == null) return command;
    String key = "-Dorg.bytedeco.javacpp.platform.extension=";
    List<String> out = new ArrayList<>();
    out.add(command.get(0));
    out.add(key + extension);
    for (String a : command.subList(1, command.size())) if (!a.startsWith(key)) out.add(a);
    return out;
  }

  /** {@code java <forwarded options> -cp <this class path> <mainClass> <args>}. */
  public static List<String> command(String mainClass, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(forwardedJvmArgs(ManagementFactory.getRuntimeMXBean().getInputArguments()));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass);
    cmd.addAll(args);
    return cmd;
  }

  /**
   * Runs {@code command} to its end. Standard output lines starting with {@code marker} are the result (the last one
   * wins); other stdout and all stderr lines go to {@code progress}, prefixed with {@code label}.
   */
  public static Outcome run(List<String> command, String marker, String label, PrintWriter progress) {
    Process p;
    try {
      p = new ProcessBuilder(command).start();
      p.getOutputStream().close(); // the child reads nothing
    } catch (IOException e) {
      throw new JbertException("cannot start a child JVM (" + command.get(0) + "): " + e.getMessage(), e);
    }
    Deque<String> tail = new ArrayDeque<>();
    Thread err = new Thread(() -> pump(new BufferedReader(new InputStreamReader(p.getErrorStream(),
        StandardCharsets.UTF_8)), line -> {
          synchronized (tail) {
            tail.addLast(line);
            if (tail.size() > TAIL) tail.removeFirst();
          }
          print(progress, label, line);
        }), "jbert-bench-child-stderr");
    err.setDaemon(true);
    err.start();
    String[] result = new String[1];
    pump(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)), line -> {
      if (line.startsWith(marker)) {
        result[0] = line;
      } else {
        print(progress, label, line);
      }
    });
    int code;
    try {
      code = p.waitFor();
      err.join();
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new JbertException("interrupted while waiting for the child JVM " + label);
    }
    synchronized (tail) {
      return new Outcome(code, Optional.ofNullable(result[0]), List.copyOf(tail));
    }
  }

  private static void print(PrintWriter progress, String label, String line) {
    synchronized (progress) {
      progress.println(label + line);
      progress.flush();
    }
  }

  private static void pump(BufferedReader r, java.util.function.Consumer<String> sink) {
    try (r) {
      for (String line; (line = r.readLine()) != null; ) sink.accept(line);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The {@code VmHWM} (peak resident set size) of a {@code /proc/<pid>/status} text in kB, or -1 when the text has
   * no such line. The line reads {@code VmHWM:\t  123456 kB}.
   *
   * @throws JbertException when the line is there but is not a number of kB
   */
  public static long parseVmHwmKb(String status) {
    for (String line : status.split("\n")) {
      if (!line.startsWith("VmHWM:")) continue;
      String v = line.substring("VmHWM:".length()).strip();
      if (!v.endsWith("kB")) throw new JbertException("VmHWM line '" + line + "'; expected '<number> kB'");
      try {
        return Long.parseLong(v.substring(0, v.length() - 2).strip());
      } catch (NumberFormatException e) {
        throw new JbertException("VmHWM line '" + line + "'; expected '<number> kB'");
      }
    }
    return -1;
  }

  /** This process's peak resident set in kB ({@code VmHWM} of /proc/self/status), -1 when /proc is not there. */
  public static long peakRssKb() {
    try {
      return parseVmHwmKb(Files.readString(Path.of("/proc/self/status")));
    } catch (IOException e) {
      return -1;
    }
  }
}
