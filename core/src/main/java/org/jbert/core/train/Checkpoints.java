package org.jbert.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jbert.core.JbertException;
import org.jbert.core.io.AtomicFiles;
import org.jbert.core.io.Npz;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training checkpoints under {@code <run>/checkpoints/}: one folder {@code step-<N>/} per checkpoint holding
 * {@code model.npz} (parameters by canonical name), {@code optimizer.npz} (AdamW moments as {@code m/<name>} and
 * {@code v/<name>}) and {@code state.json} (step, optimizer step, data position, seeds: whatever the trainer needs to
 * continue exactly). A folder is written under a temporary name and renamed into place, then the {@code latest} file
 * (the folder name) is replaced atomically, then all but the newest {@code keep} folders are deleted: a crash at any
 * point leaves {@code latest} naming a complete checkpoint. All files are NumPy/JSON readable from Python.
 */
public final class Checkpoints {
  public static final String MODEL = "model.npz";
  public static final String OPTIMIZER = "optimizer.npz";
  public static final String STATE = "state.json";
  public static final String LATEST = "latest";
  /** The file naming the best checkpoint by the dev metric ({@code train.metric_for_best_model}). */
  public static final String BEST = "best";
  private static final Pattern STEP_DIR = Pattern.compile("step-(\\d+)");
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** A checkpoint read back: arrays by name and the trainer's state. */
  public record Loaded(long step, Path dir, Map<String, Npz.Array> model, Map<String, Npz.Array> m,
      Map<String, Npz.Array> v, ObjectNode state) {}

  private final Path dir;
  private final int keep;

  /** Checkpoints of the run in {@code runDir}, keeping the newest {@code keep}. */
  public Checkpoints(Path runDir, int keep) {
    if (keep < 1) throw new JbertException("keep_checkpoints " + keep + "; expected >= 1");
    this.dir = runDir.resolve("checkpoints");
    this.keep = keep;
  }

  /** The {@code checkpoints} folder. */
  public Path dir() {
    return dir;
  }

  /**
   * Writes checkpoint {@code step} and points {@code latest} at it; returns its folder. {@code state} is stored as
   * {@code state.json} with {@code step} added.
   */
  public Path save(long step, Map<String, INDArray> params, AdamW.State optimizer, ObjectNode state) {
    return save(step, params, optimizer, state, false);
  }

  /**
   * As {@link #save(long, Map, AdamW.State, ObjectNode)}; with {@code best}, also points {@code best} at it (before
   * the older checkpoints are pruned). Pruning never deletes the folder {@code best} names.
   */
  public Path save(long step, Map<String, INDArray> params, AdamW.State optimizer, ObjectNode state, boolean best) {
    Path target = dir.resolve("step-" + step);
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      tmp = Files.createTempDirectory(dir, ".step-" + step + ".");
      Npz.write(tmp.resolve(MODEL), toNpz(params, ""));
      Map<String, Npz.Array> opt = new LinkedHashMap<>(toNpz(optimizer.m(), "m/"));
      opt.putAll(toNpz(optimizer.v(), "v/"));
      Npz.write(tmp.resolve(OPTIMIZER), opt);
      ObjectNode s = state.deepCopy();
      s.put("step", step);
      s.put("optimizer_step", optimizer.step());
      byte[] json = JSON.writeValueAsBytes(s);
      AtomicFiles.write(tmp.resolve(STATE), out -> out.write(json));
      if (Files.exists(target)) deleteTree(target);  // re-saving a step replaces it
      AtomicFiles.moveIntoPlace(tmp, target);
      tmp = null;
      AtomicFiles.write(dir.resolve(LATEST), out -> out.write((target.getFileName() + "\n").getBytes(StandardCharsets.UTF_8)));
      if (best) {
        AtomicFiles.write(dir.resolve(BEST), out -> out.write((target.getFileName() + "\n").getBytes(StandardCharsets.UTF_8)));
      }
      prune(target);
      return target;
    } catch (IOException e) {
      throw new JbertException(target + ": cannot write checkpoint (" + e.getMessage() + ")", e);
    } finally {
      if (tmp != null) AtomicFiles.deleteTree(tmp);
    }
  }

  /** The folder {@code latest} names, or empty when this run has no checkpoint yet. */
  public Optional<Path> latest() {
    return pointer(LATEST);
  }

  /** The folder {@code best} names, or empty when no best checkpoint was marked. */
  public Optional<Path> best() {
    return pointer(BEST);
  }

  /**
   * The checkpoint a resume continues from: the one {@code latest} names when it is complete, else (pointer missing,
   * unreadable or naming a missing or incomplete folder, as a kill can leave it) the newest complete {@code step-<N>}
   * folder; empty when there is none.
   */
  public Optional<Path> resumePoint() {
    Optional<Path> l;
    try {
      l = latest();
    } catch (JbertException e) {
      l = Optional.empty();
    }
    if (l.isPresent() && isComplete(l.get())) return l;
    List<Path> all = list();
    for (int i = all.size() - 1; i >= 0; i--) if (isComplete(all.get(i))) return Optional.of(all.get(i));
    return Optional.empty();
  }

  /** A checkpoint folder with its three files and a {@code state.json} whose step is the folder's. */
  static boolean isComplete(Path stepDir) {
    for (String f : new String[] {MODEL, OPTIMIZER, STATE}) if (!Files.isRegularFile(stepDir.resolve(f))) return false;
    try {
      JsonNode n = JSON.readTree(stepDir.resolve(STATE).toFile());
      return n != null && n.path("step").canConvertToLong() && n.path("step").asLong() == stepOf(stepDir);
    } catch (IOException e) {
      return false;
    }
  }

  /** The model arrays of a checkpoint folder ({@code model.npz}) alone. */
  public Map<String, Npz.Array> loadModel(Path stepDir) {
    return Npz.read(stepDir.resolve(MODEL));
  }

  private Optional<Path> pointer(String which) {
    Path f = dir.resolve(which);
    String name;
    try {
      name = Files.readString(f, StandardCharsets.UTF_8).trim();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new JbertException(f + ": cannot read (" + e.getMessage() + ")", e);
    }
    if (!STEP_DIR.matcher(name).matches()) {
      throw new JbertException(f + ": names '" + name + "'; expected a checkpoint folder step-<N>");
    }
    Path d = dir.resolve(name);
    if (!Files.isDirectory(d)) throw new JbertException(f + ": names " + name + ", which does not exist in " + dir);
    return Optional.of(d);
  }

  /** Checkpoint folders present, oldest first. */
  public List<Path> list() {
    if (!Files.isDirectory(dir)) return List.of();
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> Files.isDirectory(p) && STEP_DIR.matcher(p.getFileName().toString()).matches())
          .sorted(Comparator.comparingLong(Checkpoints::stepOf)).toList();
    } catch (IOException e) {
      throw new JbertException(dir + ": cannot list checkpoints (" + e.getMessage() + ")", e);
    }
  }

  /** Reads a checkpoint folder written by {@link #save}. */
  public Loaded load(Path stepDir) {
    for (String f : new String[] {MODEL, OPTIMIZER, STATE}) {
      if (!Files.isRegularFile(stepDir.resolve(f))) {
        throw new JbertException(stepDir + ": checkpoint has no " + f + "; expected " + MODEL + ", " + OPTIMIZER
            + " and " + STATE);
      }
    }
    ObjectNode state;
    try {
      JsonNode n = JSON.readTree(stepDir.resolve(STATE).toFile());
      if (!(n instanceof ObjectNode o) || !o.path("step").canConvertToLong()) {
        throw new JbertException(stepDir.resolve(STATE) + ": expected a JSON object with a numeric \"step\"");
      }
      state = o;
    } catch (IOException e) {
      throw new JbertException(stepDir.resolve(STATE) + ": not readable JSON (" + e.getMessage() + ")", e);
    }
    Map<String, Npz.Array> model = Npz.read(stepDir.resolve(MODEL));
    Map<String, Npz.Array> m = new LinkedHashMap<>(), v = new LinkedHashMap<>();
    for (Map.Entry<String, Npz.Array> e : Npz.read(stepDir.resolve(OPTIMIZER)).entrySet()) {
      if (e.getKey().startsWith("m/")) m.put(e.getKey().substring(2), e.getValue());
      else if (e.getKey().startsWith("v/")) v.put(e.getKey().substring(2), e.getValue());
      else throw new JbertException(stepDir.resolve(OPTIMIZER) + ": unexpected entry " + e.getKey()
          + "; expected m/<name> and v/<name>");
    }
    return new Loaded(state.get("step").asLong(), stepDir, model, m, v, state);
  }

  /**
   * Copies saved arrays into live ones, in place. Every name in {@code into} must be present with the same shape;
   * extra saved names are an error too (a checkpoint of another model). {@code what} names the file in messages.
   */
  public static void assign(Map<String, Npz.Array> from, Map<String, INDArray> into, String what) {
    for (Map.Entry<String, INDArray> e : into.entrySet()) {
      Npz.Array a = from.get(e.getKey());
      if (a == null) throw new JbertException(what + ": no array for " + e.getKey());
      if (a.floats() == null || !Arrays.equals(a.shape(), e.getValue().shape())) {
        throw new JbertException(what + ": " + e.getKey() + " is " + (a.floats() == null ? "int32 " : "float32 ")
            + Arrays.toString(a.shape()) + "; expected float32 " + Arrays.toString(e.getValue().shape()));
      }
    }
    for (String name : from.keySet()) {
      if (!into.containsKey(name)) throw new JbertException(what + ": unexpected array " + name + " not in this model");
    }
    for (Map.Entry<String, INDArray> e : into.entrySet()) {
      Npz.Array a = from.get(e.getKey());
      try (INDArray src = Nd4j.create(a.floats(), a.shape(), 'c')) {
        e.getValue().assign(src);
      }
    }
  }

  /** Saved arrays as new INDArrays, by name. */
  public static Map<String, INDArray> toArrays(Map<String, Npz.Array> arrays) {
    Map<String, INDArray> out = new LinkedHashMap<>();
    for (Map.Entry<String, Npz.Array> e : arrays.entrySet()) {
      out.put(e.getKey(), Nd4j.create(e.getValue().floats(), e.getValue().shape(), 'c'));
    }
    return out;
  }

  private static Map<String, Npz.Array> toNpz(Map<String, INDArray> arrays, String prefix) {
    Map<String, Npz.Array> out = new LinkedHashMap<>();
    for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
      INDArray a = e.getValue();
      float[] data;
      try (INDArray c = a.castTo(DataType.FLOAT).dup('c')) {
        data = c.data().asFloat();
      }
      out.put(prefix + e.getKey(), new Npz.Array(a.shape(), Arrays.copyOf(data, (int) a.length()), null));
    }
    return out;
  }

  private void prune(Path current) throws IOException {
    List<Path> all = new ArrayList<>(list());
    all.remove(current);
    Optional<Path> best;
    try {
      best = best();
    } catch (JbertException e) {
      best = Optional.empty();
    }
    best.ifPresent(all::remove);
    int excess = all.size() + 1 - keep;
    for (int i = 0; i < excess; i++) deleteTree(all.get(i));
    try (Stream<Path> s = Files.list(dir)) {  // temp folders left by a crash mid-save
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith(".step-")
          || p.getFileName().toString().startsWith(".trash-")).toList()) AtomicFiles.deleteTree(p);
    }
  }

  private static long stepOf(Path p) {
    Matcher m = STEP_DIR.matcher(p.getFileName().toString());
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  private static void deleteTree(Path root) throws IOException {
    Path trash = root.resolveSibling(".trash-" + root.getFileName() + "-" + System.nanoTime());
    Files.move(root, trash, StandardCopyOption.ATOMIC_MOVE);  // vanish at once, then delete at leisure
    AtomicFiles.deleteTree(trash);
  }

}
