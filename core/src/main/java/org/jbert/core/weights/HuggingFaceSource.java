package org.jbert.core.weights;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;

/**
 * A Hugging Face model folder ({@code config.json} + {@code model.safetensors}, optional {@code vocab.txt}) as a
 * {@link WeightSource}. Tensor names are accepted with or without the {@code bert.} prefix and translated through
 * {@link CheckpointNames#byHuggingFace}; {@code nn.Linear} weights ([out,in]) are transposed to TF kernels [in,out];
 * tied or buffer entries ({@link CheckpointNames#isHuggingFaceAlias}) are skipped. A jbert folder is the same layout
 * (plus {@code jbert.json}) and is read by this class too.
 */
public final class HuggingFaceSource implements WeightSource {
  public static final String CONFIG_FILE = "config.json";
  public static final String WEIGHTS_FILE = "model.safetensors";
  public static final String VOCAB_FILE = "vocab.txt";
  /** Hugging Face's fast tokenizer file, read for its vocabulary when vocab.txt is absent. */
  public static final String TOKENIZER_FILE = "tokenizer.json";

  private final Path dir;
  private final BertConfig config;
  private final SafeTensors tensors;
  /** canonical name -> (HF name in the file, table entry). */
  private final Map<String, String> fileName = new LinkedHashMap<>();
  private final Map<String, CheckpointNames> entry = new LinkedHashMap<>();
  private final Set<String> unrecognized = new LinkedHashSet<>();

  private HuggingFaceSource(Path dir, BertConfig config, SafeTensors tensors, List<CheckpointNames> headEntries) {
    this.dir = dir;
    this.config = config;
    this.tensors = tensors;
    List<CheckpointNames> table = new java.util.ArrayList<>(headEntries);
    table.addAll(CheckpointNames.forConfig(config, CheckpointNames.Part.values()));
    for (String name : tensors.entries().keySet()) {
      if (CheckpointNames.isHuggingFaceAlias(name)) continue;
      Optional<CheckpointNames> e = CheckpointNames.byHuggingFace(table, name);
      if (e.isEmpty()) {
        unrecognized.add(name);
        continue;
      }
      if (fileName.containsKey(e.get().canonical())) {
        throw new JbertException(tensors.file() + ": tensors '" + fileName.get(e.get().canonical()) + "' and '" + name
            + "' both map to " + e.get().canonical());
      }
      fileName.put(e.get().canonical(), name);
      entry.put(e.get().canonical(), e.get());
    }
  }

  /** Opens {@code dir}, reading its config.json; throws a JbertException naming the folder or file at fault. */
  public static HuggingFaceSource open(Path dir) {
    return open(dir, List.of());
  }

  /**
   * Opens {@code dir} recognizing, besides the encoder and pretraining heads, the task-head entries
   * {@code headEntries} (e.g. {@link CheckpointNames#sequenceClassifier}); they are matched first.
   */
  public static HuggingFaceSource open(Path dir, List<CheckpointNames> headEntries) {
    if (!Files.isDirectory(dir)) throw new JbertException(dir + ": model folder not found");
    Path weights = dir.resolve(WEIGHTS_FILE);
    if (!Files.isRegularFile(weights)) {
      if (Files.isRegularFile(dir.resolve("pytorch_model.bin"))) {
        throw new JbertException(dir + ": only pytorch_model.bin in this folder; expected " + WEIGHTS_FILE
            + " (re-save with save_pretrained(..., safe_serialization=True))");
      }
      throw new JbertException(dir + ": no " + WEIGHTS_FILE + " in this folder (expected a Hugging Face model folder)");
    }
    BertConfig config = BertConfig.fromHuggingFaceJson(dir.resolve(CONFIG_FILE));
    return new HuggingFaceSource(dir, config, SafeTensors.open(weights), List.copyOf(headEntries));
  }

  @Override
  public String description() {
    return tensors.file().toString();
  }

  @Override
  public Set<String> names() {
    return Collections.unmodifiableSet(fileName.keySet());
  }

  @Override
  public Set<String> unrecognized() {
    return Collections.unmodifiableSet(unrecognized);
  }

  @Override
  public long[] shape(String name) {
    long[] s = stored(name).shape();
    if (entry.get(name).transposed() && s.length == 2) return new long[] {s[1], s[0]};
    return s.clone();
  }

  @Override
  public float[] read(String name) {
    SafeTensors.Entry e = stored(name);
    float[] v = tensors.read(e.name());
    if (!entry.get(name).transposed()) return v;
    if (e.shape().length != 2) {
      throw new JbertException(description() + ": tensor '" + e.name() + "' has shape " + Arrays.toString(e.shape())
          + "; expected 2-D");
    }
    return transpose(v, (int) e.shape()[0], (int) e.shape()[1]);
  }

  /** Row-major [rows,cols] -> [cols,rows]. */
  static float[] transpose(float[] v, int rows, int cols) {
    float[] t = new float[v.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) t[c * rows + r] = v[r * cols + c];
    }
    return t;
  }

  private SafeTensors.Entry stored(String name) {
    String f = fileName.get(name);
    if (f == null) throw new JbertException(description() + ": no tensor for " + name);
    return tensors.entries().get(f);
  }

  /** The folder this source reads. */
  public Path dir() {
    return dir;
  }

  /** The names stored in model.safetensors, as written (HF names). */
  public Set<String> storedNames() {
    return Collections.unmodifiableSet(tensors.entries().keySet());
  }

  @Override
  public Optional<BertConfig> config() {
    return Optional.of(config);
  }

  /**
   * {@code vocab.txt}, else the fast tokenizer's {@code tokenizer.json} (whose WordPiece {@code model.vocab}
   * {@link org.jbert.core.tokenize.Vocab#load} reads), else empty.
   */
  @Override
  public Optional<Path> vocab() {
    return vocabOf(dir);
  }

  /** The vocabulary file of a Hugging Face folder {@code dir}, as {@link #vocab()} picks it. */
  public static Optional<Path> vocabOf(Path dir) {
    Path v = dir.resolve(VOCAB_FILE);
    if (Files.isRegularFile(v)) return Optional.of(v);
    Path t = dir.resolve(TOKENIZER_FILE);
    return Files.isRegularFile(t) ? Optional.of(t) : Optional.empty();
  }

  @Override
  public void close() {
    tensors.close();
  }
}
