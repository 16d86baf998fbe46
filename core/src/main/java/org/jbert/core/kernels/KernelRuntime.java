package org.jbert.core.kernels;

import java.util.Locale;
import java.util.ServiceLoader;
import org.jbert.core.JbertException;
import org.jbert.core.graph.FusedOp;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the kernel path once per JVM and makes SameDiff run graphs with fused ops in a {@link KernelSession}.
 *
 * <p>{@value #ENV} (environment) or {@code -D}{@value #PROPERTY} (system property, which wins) force a path:
 * {@code libnd4j} (no fused ops: graphs are built exactly as without this class) or a provider's name
 * ({@code onednn}; a JbertException if it is not on the class path or does not load). Unset: the first provider
 * found through {@link ServiceLoader} that loads, else {@code libnd4j}.
 */
public final class KernelRuntime {
  public static final String ENV = "JBERT_KERNELS";
  public static final String PROPERTY = "jbert.kernels";
  private static final Logger LOG = LoggerFactory.getLogger(KernelRuntime.class);
  private static Kernels selected;
  private static boolean factoryBound;

  private KernelRuntime() {}

  /** The kernels of this JVM (resolved on first call). */
  public static synchronized Kernels selected() {
    if (selected == null) {
      String p = System.getProperty(PROPERTY);
      selected = resolve(p != null ? p : System.getenv(ENV));
    }
    return selected;
  }

  /** True when inference graphs should be built with fused ops (any path but libnd4j). */
  public static boolean fusedGraphs() {
    return !(selected() instanceof Nd4jKernels);
  }

  /**
   * The kernels a request names: null or blank = the first provider that loads, else libnd4j.
   *
   * @throws JbertException for an unknown name or a named provider that does not load
   */
  public static Kernels resolve(String request) {
    String want = request == null ? "" : request.trim().toLowerCase(Locale.ROOT);
    if (want.equals(Nd4jKernels.NAME)) return Nd4jKernels.INSTANCE;
    StringBuilder known = new StringBuilder(Nd4jKernels.NAME);
    for (KernelsProvider p : ServiceLoader.load(KernelsProvider.class)) {
      known.append('|').append(p.name());
      if (!want.isEmpty() && !want.equals(p.name())) continue;
      try {
        return p.create();
      } catch (RuntimeException | LinkageError e) {
        if (!want.isEmpty()) {
          throw new JbertException(ENV + "=" + want + ": the " + p.name() + " kernels do not load here ("
              + e + ")", e);
        }
        LOG.warn("{} kernels do not load ({}); using libnd4j's", p.name(), e.toString());
      }
    }
    if (want.isEmpty()) return Nd4jKernels.INSTANCE;
    throw new JbertException(ENV + "=" + want + ": no such kernel path on the class path; expected one of "
        + known);
  }

  /**
   * Makes every SameDiff session created from now on a {@link KernelSession} on {@link #selected()} (it passes every
   * op but the fused ones to SameDiff, so graphs without fused ops run as before). Idempotent; a {@link FusedOp} calls
   * it when it is built, so a JVM that builds none keeps SameDiff's own factory.
   */
  public static synchronized void install() {
    if (factoryBound) return;
    SameDiff.bindInferenceFactory(sd -> new KernelSession(sd, selected()));
    factoryBound = true;
  }

  /**
   * A new session for {@code sd}, for code that installs its own (training): a {@link KernelSession} once
   * {@link #install()} ran or when {@code sd} holds fused ops, else a plain {@link JbertSession}.
   */
  public static JbertSession newSession(SameDiff sd) {
    boolean bound;
    synchronized (KernelRuntime.class) {
      bound = factoryBound;
    }
    return bound || hasFusedOps(sd) ? new KernelSession(sd, selected()) : new JbertSession(sd);
  }

  /** True when {@code sd} holds a {@link FusedOp}. */
  public static boolean hasFusedOps(SameDiff sd) {
    return sd.getOps().values().stream().anyMatch(o -> o.getOp() instanceof FusedOp);
  }
}
