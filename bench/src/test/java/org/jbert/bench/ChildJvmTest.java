package org.jbert.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.jbert.core.JbertException;
import org.junit.jupiter.api.Test;

/** The child-JVM protocol: VmHWM parsing, the result line, forwarded options, and a real child process. */
class ChildJvmTest {
  /** An excerpt of a real /proc/self/status (Linux 6.x). */
  private static final String STATUS = """
      Name:\tjava
      Umask:\t0022
      State:\tS (sleeping)
      VmPeak:\t 9876543 kB
      VmSize:\t 9123456 kB
      VmHWM:\t 5242880 kB
      VmRSS:\t 4194304 kB
      Threads:\t42
      """;

  @Test
  void vmHwmIsReadInKilobytes() {
    assertEquals(5_242_880L, ChildJvm.parseVmHwmKb(STATUS));
    assertEquals(5.0, BenchRun.gb(ChildJvm.parseVmHwmKb(STATUS)), 0.0, "5,242,880 kB = 5 GiB");
    assertEquals(-1L, ChildJvm.parseVmHwmKb("Name:\tjava\nVmRSS:\t 1 kB\n"), "no VmHWM line");
    assertTrue(Double.isNaN(BenchRun.gb(-1)));
    JbertException e = assertThrows(JbertException.class, () -> ChildJvm.parseVmHwmKb("VmHWM:\t lots kB\n"));
    assertTrue(e.getMessage().contains("'VmHWM:\t lots kB'"), e.getMessage());
  }

  @Test
  void theTrainingChildsPlatformExtensionCanBeReplaced() {
    String key = "-Dorg.bytedeco.javacpp.platform.extension=";
    List<String> cmd = List.of("java", "-Xmx3g", key + "-onednn-avx512", "-cp", "cp", "Main", "arg");
    assertEquals(List.of("java", key, "-Xmx3g", "-cp", "cp", "Main", "arg"), ChildJvm.withPlatformExtension(cmd, ""));
    assertEquals(List.of("java", key + "-avx512", "-Xmx3g", "-cp", "cp", "Main"),
        ChildJvm.withPlatformExtension(List.of("java", "-Xmx3g", "-cp", "cp", "Main"), "-avx512"), "added if absent");
    assertEquals(cmd, ChildJvm.withPlatformExtension(cmd, null), "null keeps the parent's");
  }

  @Test
  void thisProcessHasAPeakResidentSet() {
    // Linux only (the benchmark's platform): the JVM alone is well over 10 MB resident.
    assertTrue(ChildJvm.peakRssKb() > 10_000, "VmHWM " + ChildJvm.peakRssKb() + " kB");
  }

  @Test
  void resultLineRoundTripsAndNamesWhatIsMissing() {
    TrainStepBenchmark.Result r = new TrainStepBenchmark.Result(32, 8, 128, 3, 41.25, 38.5, 2.75, 60.125, 0.6931,
        7_340_032L, 109_483_778L, 1);
    String line = r.line();
    assertTrue(line.startsWith(TrainStepBenchmark.MARKER + " batch=32 micro_batch=8 seq_len=128 steps=3 "), line);
    assertTrue(line.endsWith(" fused_graph=1"), line);
    assertEquals(r, TrainStepBenchmark.Result.parse(line));
    assertEquals(r, TrainStepBenchmark.Result.parse("  " + line + "\n"), "surrounding white space is ignored");
    String noHwm = line.replace(" vmhwm_kb=7340032", "");
    JbertException e = assertThrows(JbertException.class, () -> TrainStepBenchmark.Result.parse(noHwm));
    assertTrue(e.getMessage().endsWith("has no vmhwm_kb"), e.getMessage());
    e = assertThrows(JbertException.class, () -> TrainStepBenchmark.Result.parse(line.replace("batch=32",
        "batch=x")));
    assertTrue(e.getMessage().contains("\"x\""), e.getMessage());
    e = assertThrows(JbertException.class, () -> TrainStepBenchmark.Result.parse("batch=32"));
    assertTrue(e.getMessage().contains("expected " + TrainStepBenchmark.MARKER), e.getMessage());
  }

  @Test
  void agentsAndDebuggersAreNotForwarded() {
    assertEquals(List.of("-Xmx3g", "-Dorg.bytedeco.javacpp.maxphysicalbytes=16G", "-XX:+UseG1GC"),
        ChildJvm.forwardedJvmArgs(List.of("-Xmx3g", "-agentlib:jdwp=transport=dt_socket,server=y",
            "-Dorg.bytedeco.javacpp.maxphysicalbytes=16G", "-javaagent:/tmp/jacoco.jar", "-Xdebug",
            "-XX:+UseG1GC")));
  }

  @Test
  void aChildJvmReportsItsResultLineAndPassesOtherOutputOn() {
    StringWriter progress = new StringWriter();
    ChildJvm.Outcome o = ChildJvm.run(ChildJvm.command(Child.class.getName(), List.of("7")), Child.MARKER,
        "[child] ", new PrintWriter(progress));
    assertEquals(0, o.exitCode(), progress.toString());
    assertTrue(o.resultLine().isPresent());
    String line = o.resultLine().get();
    long kb = Long.parseLong(line.substring(line.indexOf("vmhwm_kb=") + 9));
    assertTrue(kb > 1000, line);
    assertTrue(line.contains("arg=7 "), "the child got its argument: " + line);
    assertTrue(line.contains("max=" + Runtime.getRuntime().maxMemory() + " "),
        "the child runs with this JVM's heap option: " + line);
    assertTrue(progress.toString().contains("[child] hello on stdout"), progress.toString());
    assertTrue(progress.toString().contains("[child] hello on stderr"), progress.toString());

    ChildJvm.Outcome failed = ChildJvm.run(ChildJvm.command(Child.class.getName(), List.of("fail")), Child.MARKER,
        "", new PrintWriter(new StringWriter()));
    assertEquals(3, failed.exitCode());
    assertTrue(failed.resultLine().isEmpty());
    assertEquals("boom: fail", failed.lastError());
  }

  /** The child of the test above: prints a line to each stream, then its result (or fails). */
  public static final class Child {
    static final String MARKER = "child-result:";

    public static void main(String[] args) {
      System.out.println("hello on stdout");
      System.err.println("hello on stderr");
      if (args[0].equals("fail")) {
        System.err.println("boom: fail");
        System.exit(3);
      }
      System.out.println(MARKER + " arg=" + args[0] + " max=" + Runtime.getRuntime().maxMemory() + " vmhwm_kb="
          + ChildJvm.peakRssKb());
    }
  }
}
