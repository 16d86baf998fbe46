package org.jbert.spark;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jbert.core.JbertException;
import org.jbert.core.model.Bert;
import org.jbert.core.model.PretrainedModels;

/**
 * The models of one JVM (an executor, or the driver in local mode), loaded once on first use and shared by every task
 * that runs there, keyed by the path or name they were asked for. Loading is lazy and happens once per key even when
 * several tasks ask at the same time; a failed load is not remembered (the next task tries again, as Spark's retry
 * would).
 *
 * <p>Paths are read on the executor: a model folder must be on a path every executor sees (a shared file system, or
 * the folder shipped with {@code --files}/{@code SparkContext.addFile} and given as {@code SparkFiles.get(name)}).
 * Executors have no {@code ~/.m2}: a pretrained name resolves only from the jbert cache there.
 */
public final class ExecutorModels {
  private static final Map<String, Bert> ENCODERS = new ConcurrentHashMap<>();
  private static final Map<String, TaskRunner> TASKS = new ConcurrentHashMap<>();

  private ExecutorModels() {}

  /** The encoder (with its tokenizer) of a model folder or pretrained name, loaded once per JVM. */
  public static Bert encoder(String pathOrName) {
    return load(ENCODERS, pathOrName, Bert::load);
  }

  /** The fine-tuned task model of a folder (jbert or Hugging Face, with a task head), loaded once per JVM. */
  public static TaskRunner task(String path) {
    return load(TASKS, path, TaskRunner::open);
  }

  /** Closes and forgets every model of this JVM (tests; a long-lived driver that switches models). */
  public static synchronized void closeAll() {
    ENCODERS.values().forEach(Bert::close);
    ENCODERS.clear();
    TASKS.values().forEach(TaskRunner::close);
    TASKS.clear();
  }

  /**
   * Fails at once, on the caller's JVM, when {@code pathOrName} is neither a folder there nor a pretrained name: the
   * driver's check before a job starts. An executor that does not see the folder fails its task with a message that
   * names its host ({@link #load}).
   */
  public static void requireVisible(String pathOrName, String param) {
    if (pathOrName == null || pathOrName.isBlank()) {
      throw new JbertException(param + " is not set; expected a model folder or a pretrained name");
    }
    if (!Files.isDirectory(Path.of(pathOrName)) && !pretrainedName(pathOrName)) {
      throw new JbertException(param + " " + pathOrName + ": model folder not found on the driver; expected a folder"
          + " every executor sees, or one of "
          + PretrainedModels.models().stream().map(PretrainedModels.Model::name).toList());
    }
  }

  private static boolean pretrainedName(String s) {
    return PretrainedModels.models().stream().anyMatch(m -> m.name().equalsIgnoreCase(s.trim())
        || m.artifactId().equalsIgnoreCase(s.trim()));
  }

  private static synchronized <T> T load(Map<String, T> cache, String key, Function<String, T> loader) {
    T m = cache.get(key);
    if (m != null) return m;
    if (!Files.isDirectory(Path.of(key)) && !pretrainedName(key)) {
      throw new JbertException("model " + key + " is not visible on " + host() + ": no such folder there; expected"
          + " a path every executor sees (a shared file system, or SparkContext.addFile and SparkFiles.get)");
    }
    m = loader.apply(key);
    cache.put(key, m);
    return m;
  }

  private static String host() {
    try {
      return "executor host " + InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "this executor";
    }
  }
}
