package org.jbert.bench;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.bytedeco.javacpp.Loader;
import org.jbert.eval.run.BackendInfo;

/**
 * What a benchmark ran on, for its report: the CPU (from {@code /proc/cpuinfo}), the ND4J backend with its BLAS and
 * thread counts ({@link BackendInfo}), the javacpp platform and its extension (e.g. {@code -avx512}, which picks the
 * nd4j-native build), the nd4j-native builds on the class path and the native library actually loaded, the JVM, and
 * the load average (the machine may be shared).
 */
public final class Machine {
  private Machine() {}

  /** The CPU as {@code /proc/cpuinfo} describes it. */
  public record CpuInfo(String model, int logicalCpus, int coresPerSocket, int sockets, List<String> simdFlags) {}

  /** Flags that decide which kernels can run (vector widths, bf16, AMX). */
  private static final Set<String> SIMD = Set.of("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl",
      "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_tile", "amx_int8");
  private static final List<String> ND4J_BUILDS = List.of("", "-avx2", "-avx512", "-onednn", "-onednn-avx2",
      "-onednn-avx512");

  /**
   * Parses {@code /proc/cpuinfo} text: the first {@code model name}, the number of {@code processor} entries, the
   * first {@code cpu cores}, the distinct {@code physical id}s, and the SIMD-related flags of the first processor.
   * Missing fields give "unknown" or 0.
   */
  public static CpuInfo parseCpuInfo(String text) {
    String model = null;
    int processors = 0;
    int cores = 0;
    Set<String> sockets = new TreeSet<>();
    Set<String> flags = new TreeSet<>();
    boolean flagsSeen = false;
    for (String line : text.split("\n")) {
      int colon = line.indexOf(':');
      if (colon < 0) continue;
      String key = line.substring(0, colon).strip();
      String value = line.substring(colon + 1).strip();
      switch (key) {
        case "processor" -> processors++;
        case "model name" -> {
          if (model == null) model = value;
        }
        case "cpu cores" -> {
          if (cores == 0) cores = parseInt(value);
        }
        case "physical id" -> sockets.add(value);
        case "flags" -> {
          if (!flagsSeen) {
            for (String f : value.split("\\s+")) if (SIMD.contains(f)) flags.add(f);
            flagsSeen = true;
          }
        }
        default -> { }
      }
    }
    return new CpuInfo(model == null ? "unknown" : model, processors, cores, sockets.size(), List.copyOf(flags));
  }

  private static int parseInt(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** This machine and process, as an ordered map for the JSON report (initializes ND4J). */
  public static Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    CpuInfo cpu;
    try {
      cpu = parseCpuInfo(Files.readString(Path.of("/proc/cpuinfo")));
    } catch (IOException | RuntimeException e) {
      cpu = new CpuInfo("unknown (no /proc/cpuinfo)", 0, 0, 0, List.of());
    }
    m.put("cpu_model", cpu.model());
    m.put("logical_cpus", cpu.logicalCpus());
    m.put("cores_per_socket", cpu.coresPerSocket());
    m.put("sockets", cpu.sockets());
    m.put("simd_flags", cpu.simdFlags());
    m.put("jvm_available_processors", Runtime.getRuntime().availableProcessors());
    m.put("memory_total_gb", memTotalGb());
    BackendInfo b = BackendInfo.current();
    m.put("nd4j_backend", b.backendClass());
    m.put("nd4j", b.properties());
    for (String v : List.of("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")) {
      String e = System.getenv(v);
      m.put("env_" + v, e == null ? "(unset)" : e);
    }
    m.put("javacpp_platform", Loader.getPlatform());
    String ext = System.getProperty("org.bytedeco.javacpp.platform.extension");
    m.put("javacpp_platform_extension", ext == null || ext.isEmpty() ? "(none)" : ext);
    m.put("nd4j_native_builds_on_classpath", nd4jBuilds(Loader.getPlatform()));
    String lib = Loader.getLoadedLibraries().entrySet().stream().filter(e -> e.getKey().contains("jnind4j"))
        .map(Map.Entry::getValue).findFirst().orElse("(not loaded)");
    m.put("nd4j_native_library", lib);
    m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    m.put("load_average_start", loadAverage());
    return m;
  }

  /** The nd4j-native classifiers whose natives the class path holds, e.g. [linux-x86_64, linux-x86_64-avx512]. */
  static List<String> nd4jBuilds(String platform) {
    List<String> out = new ArrayList<>();
    ClassLoader cl = Machine.class.getClassLoader();
    for (String ext : ND4J_BUILDS) {
      URL u = cl.getResource("org/nd4j/linalg/cpu/nativecpu/bindings/" + platform + ext + "/");
      if (u != null) out.add(platform + ext);
    }
    return out;
  }

  /** The 1, 5 and 15 minute load averages from {@code /proc/loadavg}, or "n/a". */
  public static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }

  /** The 1-minute load average, NaN when unknown. */
  public static double loadAverage1m() {
    try {
      return Double.parseDouble(loadAverage().split(" ")[0]);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static double memTotalGb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0;
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return Double.NaN;
  }
}
