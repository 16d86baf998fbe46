package org.jbert.core.train;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import org.bytedeco.javacpp.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives freed native memory back to the operating system during training.
 *
 * <p>ND4J allocates array buffers with the C library's {@code malloc}. glibc keeps what is freed in its heaps for
 * reuse and returns it to the system only from the top of a heap, so after a training step (gigabytes of activations
 * of a size set by the batch's padded length, which changes from batch to batch) most of the freed memory stays
 * resident. javacpp counts the whole resident set against {@code maxphysicalbytes} and fails the next allocation
 * there. Measured on the full SpamAssassin fine-tune (BERT-base, B=16, T up to 128, dynamic padding): RSS grew by
 * about 17 MB per step and the run died at step ~600 with 16.4 GB. In a probe on the same model {@code malloc_trim(0)}
 * took RSS from 5.5 GB to 2.1 GB in 260 ms, and RSS after each trim stayed there: the growth is retained free
 * memory, not live arrays.
 *
 * <p>{@link #release()} collects garbage (ND4J frees an unclosed array's buffer when its Java object is collected)
 * and, when the resident set is above {@link #trimThreshold()} (half of {@code maxphysicalbytes}, or of the machine's
 * memory when there is no limit), calls glibc's {@code malloc_trim(0)} through JNA (a dependency of nd4j-api). A trim
 * costs the next step the page faults of its working set again, so it runs only past the threshold. Where there is
 * no {@code malloc_trim} (musl, macOS) trimming is off, with one logged line. {@code -Djbert.malloc_trim=off}
 * turns it off; {@code always} trims after every release.
 */
public final class NativeMemory {
  private static final Logger LOG = LoggerFactory.getLogger(NativeMemory.class);
  /** The system property choosing the policy: {@code auto} (default), {@code always} or {@code off}. */
  public static final String PROPERTY = "jbert.malloc_trim";

  private static volatile Function mallocTrim;
  private static volatile boolean looked;
  private static long trims;

  private NativeMemory() {}

  /**
   * Collects garbage, then trims the C heap when the resident set is above {@link #trimThreshold()} (or always, or
   * never, as {@value #PROPERTY} says). Called once per optimizer step and after each evaluation.
   *
   * @return true when it trimmed
   */
  public static boolean release() {
    String mode = mode();
    System.gc();
    switch (mode) {
      case "off":
        return false;
      case "always":
        return trim();
      default:
        return Pointer.physicalBytes() > trimThreshold() && trim();
    }
  }

  /**
   * The policy {@value #PROPERTY} names (default {@code auto}).
   *
   * @throws IllegalArgumentException for any other value
   */
  public static String mode() {
    String mode = System.getProperty(PROPERTY, "auto");
    if (!mode.equals("auto") && !mode.equals("always") && !mode.equals("off")) {
      throw new IllegalArgumentException("-D" + PROPERTY + "=" + mode + "; expected auto, always or off");
    }
    return mode;
  }

  /** The resident set above which {@link #release()} trims: half of javacpp's limit, or of the machine's memory. */
  public static long trimThreshold() {
    long max = Pointer.maxPhysicalBytes();
    return (max > 0 ? max : Pointer.totalPhysicalBytes()) / 2;
  }

  /**
   * Returns the C heap's free pages to the system now ({@code malloc_trim(0)}).
   *
   * @return false where the C library has no {@code malloc_trim}
   */
  public static boolean trim() {
    Function f = lookup();
    if (f == null) return false;
    f.invokeInt(new Object[] {0});
    synchronized (NativeMemory.class) {
      trims++;
    }
    return true;
  }

  /** How many trims ran in this JVM. */
  public static synchronized long trims() {
    return trims;
  }

  private static Function lookup() {
    if (!looked) {
      synchronized (NativeMemory.class) {
        if (!looked) {
          try {
            mallocTrim = NativeLibrary.getInstance("c").getFunction("malloc_trim");
          } catch (UnsatisfiedLinkError | RuntimeException e) {
            LOG.warn("no malloc_trim in the C library ({}); freed native memory stays with the process", e.toString());
          }
          looked = true;
        }
      }
    }
    return mallocTrim;
  }
}
