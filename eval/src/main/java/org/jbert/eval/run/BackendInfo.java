package org.jbert.eval.run;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.jbert.core.kernels.KernelRuntime;
import org.jbert.core.kernels.KernelSession;
import org.jbert.eval.report.Check;
import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Which ND4J backend ran: its class, CPU or CUDA, the BLAS vendor and version, thread counts and, on CUDA, the
 * devices, from {@code Nd4j.getBackend()}, {@code Nd4j.getEnvironment()} and
 * {@code Nd4j.getExecutioner().getEnvironmentInformation()}.
 *
 * @param backendClass the backend's class name ({@code org.nd4j.linalg.cpu.nativecpu.CpuBackend} or the CUDA one)
 * @param cpu true on a CPU backend
 * @param properties what the executioner reports, as strings, plus the BLAS version and thread limits
 */
public record BackendInfo(String backendClass, boolean cpu, Map<String, String> properties) {

  /** The running backend. */
  public static BackendInfo current() {
    Map<String, String> p = new LinkedHashMap<>();
    Environment env = Nd4j.getEnvironment();
    Properties info = Nd4j.getExecutioner().getEnvironmentInformation();
    for (String k : List.of("backend", "blas.vendor", "blas.threads", "omp.threads", "cores", "os",
        "memory.available", "cuda.availableDevices")) {
      Object v = info.get(k);
      if (v != null) p.put(k, v.toString());
    }
    if (env.blasMajorVersion() > 0) {  // 0.0.0 when the backend does not report it (nd4j-native's OpenBLAS)
      p.put("blas.version", env.blasMajorVersion() + "." + env.blasMinorVersion() + "." + env.blasPatchVersion());
    }
    p.put("max threads", Integer.toString(env.maxThreads()));
    p.put("max master threads", Integer.toString(env.maxMasterThreads()));
    Object devices = info.get("cuda.devicesInformation");
    if (devices instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        if (list.get(i) instanceof Map<?, ?> d) {
          p.put("cuda device " + i, d.get("cuda.deviceName") + ", " + d.get("cuda.deviceMajor") + "."
              + d.get("cuda.deviceMinor") + ", " + d.get("cuda.totalMemory") + " bytes");
        }
      }
    }
    String ext = System.getProperty("org.bytedeco.javacpp.platform.extension", "");
    p.put("javacpp platform", org.bytedeco.javacpp.Loader.getPlatform() + (ext.isEmpty() ? "" : " + extension " + ext));
    org.bytedeco.javacpp.Loader.getLoadedLibraries().entrySet().stream().filter(e -> e.getKey().contains("jnind4j"))
        .findFirst().ifPresent(e -> p.put("nd4j native library", nativeBuild(e.getValue())));
    p.put("jbert kernels", kernelPath());
    p.put("java.vm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    p.put("available processors", Integer.toString(Runtime.getRuntime().availableProcessors()));
    return new BackendInfo(Nd4j.getBackend().getClass().getName(), env.isCPU(), p);
  }

  /**
   * The kernel path selected for fused ops ({@link KernelRuntime}) and how many fused ops each path ran so far
   * ({@link KernelSession#runs()}), e.g. {@code onednn (fused ops run: onednn 2472)}; {@code libnd4j (unfused graph)}
   * when none ran.
   */
  public static String kernelPath() {
    Map<String, Long> runs = KernelSession.runs();
    String selected = KernelRuntime.selected().name();
    if (runs.isEmpty()) return selected + (KernelRuntime.fusedGraphs() ? " (no fused op run yet)" : " (unfused graph)");
    StringBuilder s = new StringBuilder(selected).append(" (fused ops run:");
    runs.forEach((k, v) -> s.append(' ').append(k).append(' ').append(v).append(','));
    s.setLength(s.length() - 1);
    return s.append(')').toString();
  }

  /** "cpu" or "cuda". */
  public String kind() {
    return cpu ? "cpu" : "cuda";
  }

  /** One check: the backend is the one {@code expected} asks for (always passes for {@code any}). */
  public Check check(EvalConfig.Backend expected) {
    boolean ok = switch (expected) {
      case ANY -> true;
      case CPU -> cpu;
      case CUDA -> !cpu;
    };
    return Check.of("ND4J backend (" + expected.name().toLowerCase(Locale.ROOT) + " required)", ok, kind() + ": "
        + backendClass + ", BLAS " + properties.getOrDefault("blas.vendor", "?")
        + (properties.containsKey("blas.version") ? " " + properties.get("blas.version") : ""));
  }

  /** The jar a native library was unpacked from (javacpp's cache keeps its name), else the file name. */
  private static String nativeBuild(String libraryPath) {
    for (java.nio.file.Path part : java.nio.file.Path.of(libraryPath)) {
      if (part.toString().endsWith(".jar")) return part.toString();
    }
    return java.nio.file.Path.of(libraryPath).getFileName().toString();
  }

  /** The properties as table rows. */
  public List<List<String>> rows() {
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("backend class", backendClass));
    properties.forEach((k, v) -> rows.add(List.of(k, v)));
    return rows;
  }
}
