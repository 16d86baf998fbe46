package org.jbert.core.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.graph.BertGraph;
import org.jbert.core.graph.EncoderOutputs;
import org.jbert.core.graph.MatmulPrecision;
import org.jbert.core.kernels.KernelRuntime;
import org.jbert.core.weights.CheckpointNames;
import org.jbert.core.weights.HuggingFaceSource;
import org.jbert.core.weights.HuggingFaceWriter;
import org.jbert.core.weights.ImportReport;
import org.jbert.core.weights.WeightImporter;
import org.jbert.core.weights.WeightSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A BERT encoder (float32) ready to run: the SameDiff graph built by {@link BertGraph}, its config, and the
 * vocabulary file when known. Heads can add ops to {@link #sameDiff()} on top of {@link #outputs()}.
 *
 * <p>Saved format ({@link #save}): a jbert folder is a Hugging Face folder ({@code config.json},
 * {@code model.safetensors} with HF names and [out,in] Linear weights, {@code vocab.txt} when known) plus
 * {@code jbert.json} marking the format and its version. It loads without TensorFlow, in jbert ({@link #load}) and in
 * Hugging Face transformers alike. Every variable of the graph that has an entry in {@link CheckpointNames} is saved,
 * so heads built into the same SameDiff are saved too.
 */
public final class BertModel implements AutoCloseable {
  /** The marker file of a jbert folder. */
  public static final String JBERT_FILE = "jbert.json";
  public static final int FORMAT_VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final BertConfig config;
  private final SameDiff sd;
  private final EncoderOutputs outputs;
  private final Path vocab;
  private final ImportReport importReport;
  private boolean closed;

  private BertModel(BertConfig config, SameDiff sd, EncoderOutputs outputs, Path vocab, ImportReport report) {
    this.config = config;
    this.sd = sd;
    this.outputs = outputs;
    this.vocab = vocab;
    this.importReport = report;
  }

  /**
   * A model with fresh weights as google-research/bert initializes them: truncated normal (stddev
   * initializer_range, cut at 2 stddev) for tables and kernels, zeros for biases, LayerNorm gamma 1 and beta 0.
   */
  public static BertModel random(BertConfig config, long seed) {
    SameDiff sd = SameDiff.create();
    EncoderOutputs out = BertGraph.build(sd, config);
    initialize(sd, CheckpointNames.forConfig(config, CheckpointNames.Part.ENCODER, CheckpointNames.Part.POOLER),
        config.initializerRange(), seed);
    return new BertModel(config, sd, out, null, null);
  }

  /**
   * Initializes the variables of {@code entries} in {@code sd} (those that exist) as {@link #random} does.
   * Heads use this for their own fresh variables.
   */
  public static void initialize(SameDiff sd, List<CheckpointNames> entries, double stddev, long seed) {
    Random rnd = new Random(seed);
    for (CheckpointNames e : entries) {
      if (!sd.hasVariable(e.canonical())) continue;
      INDArray arr = sd.getVariable(e.canonical()).getArr();
      switch (e.init()) {
        case ONES -> arr.assign(1);
        case ZEROS -> arr.assign(0);
        case TRUNCATED_NORMAL -> {
          float[] v = new float[(int) arr.length()];
          for (int i = 0; i < v.length; i++) {
            double x;
            do {
              x = rnd.nextGaussian();
            } while (Math.abs(x) > 2);
            v[i] = (float) (x * stddev);
          }
          try (INDArray src = Nd4j.createFromArray(v).reshape(arr.shape())) {
            arr.assign(src);
          }
        }
      }
    }
  }

  /**
   * A model with the weights of {@code source}. Strict: any missing, renamed or mis-shaped weight fails with one
   * JbertException listing them all; lenient: loads what matches ({@link #importReport()} tells what did not).
   */
  public static BertModel fromWeights(BertConfig config, WeightSource source, boolean strict) {
    return fromWeights(config, source, strict, true);
  }

  /**
   * As {@link #fromWeights(BertConfig, WeightSource, boolean)}; with {@code trainable} false the graph is built
   * without dropout ops (an inference-only model: the random draws of dropout cost ~12% of a forward pass even while
   * its training switch is off). The config the model reports and saves keeps its dropout probabilities. An
   * inference-only float32 model is built from fused ops when a kernel path other than libnd4j is selected
   * ({@link KernelRuntime}: oneDNN when the jbert-onednn module is on the class path and loads).
   */
  public static BertModel fromWeights(BertConfig config, WeightSource source, boolean strict, boolean trainable) {
    return fromWeights(config, source, strict, trainable, MatmulPrecision.FLOAT32);
  }

  /**
   * As {@link #fromWeights(BertConfig, WeightSource, boolean, boolean)}, with the dense products in
   * {@code precision}; {@link MatmulPrecision#BF16} is for inference only ({@code trainable} false).
   */
  public static BertModel fromWeights(BertConfig config, WeightSource source, boolean strict, boolean trainable,
      MatmulPrecision precision) {
    if (trainable && precision != MatmulPrecision.FLOAT32) {
      throw new JbertException("matmul precision " + precision + " for a trainable model; expected FLOAT32 (bf16 "
          + "products are for inference only)");
    }
    SameDiff sd = SameDiff.create();
    boolean fused = !trainable && precision == MatmulPrecision.FLOAT32 && KernelRuntime.fusedGraphs();
    EncoderOutputs out = BertGraph.build(sd, trainable ? config : config.withDropout(0, 0), DataType.FLOAT, true,
        precision, fused);
    BertModel m = new BertModel(config, sd, out, source.vocab().orElse(null), null);
    try {
      ImportReport report = WeightImporter.load(sd, source, strict);
      if (precision == MatmulPrecision.BF16) BertGraph.copyKernelsToBf16(sd);
      return new BertModel(config, sd, out, source.vocab().orElse(null), report);
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
  }

  /**
   * Wraps a graph that {@link BertGraph#build} built, for models that add heads to the same SameDiff (pretraining,
   * task heads) and load or initialize the weights themselves. The model then owns {@code sd}: {@link #save} writes
   * every variable of it that {@link CheckpointNames} knows, heads included, and {@link #close} frees it.
   *
   * @param vocab the vocab.txt that came with the weights, or null
   * @param report what the weight import did, or null for fresh weights
   */
  public static BertModel of(BertConfig config, SameDiff sd, EncoderOutputs outputs, Path vocab,
      ImportReport report) {
    return new BertModel(config, sd, outputs, vocab, report);
  }

  /** Loads a Hugging Face model folder (config.json + model.safetensors) strictly. */
  public static BertModel fromHuggingFace(Path dir) {
    try (HuggingFaceSource src = HuggingFaceSource.open(dir)) {
      return fromWeights(src.config().orElseThrow(), src, true);
    }
  }

  /** Loads a folder written by {@link #save}. */
  public static BertModel load(Path dir) {
    requireJbertFolder(dir);
    return fromHuggingFace(dir);
  }

  /**
   * Checks that {@code dir} is a folder written by {@link #save} (its {@value #JBERT_FILE} marker with a supported
   * format version); throws a JbertException naming the folder or file otherwise.
   */
  public static void requireJbertFolder(Path dir) {
    if (!Files.isDirectory(dir)) throw new JbertException(dir + ": model folder not found");
    Path marker = dir.resolve(JBERT_FILE);
    if (!Files.isRegularFile(marker)) {
      throw new JbertException(dir + ": no " + JBERT_FILE + " in this folder (not a jbert model folder; use "
          + "fromHuggingFace for a Hugging Face folder)");
    }
    try {
      int version = JSON.readTree(marker.toFile()).path("format_version").asInt(-1);
      if (version != FORMAT_VERSION) {
        throw new JbertException(marker + ": format_version " + version + " is not supported; expected "
            + FORMAT_VERSION);
      }
    } catch (java.io.IOException e) {
      throw new JbertException(marker + ": not valid JSON (" + e.getMessage() + ")", e);
    }
  }

  /** Saves this model as a jbert folder (see the class comment), atomically replacing {@code dir}. */
  public void save(Path dir) {
    ObjectNode marker = JSON.createObjectNode();
    marker.put("format", "jbert");
    marker.put("format_version", FORMAT_VERSION);
    marker.put("hidden_act", config.hiddenAct().name());
    write(dir, Map.of(JBERT_FILE, marker));
  }

  /** Exports this model as a Hugging Face folder (config.json, model.safetensors, vocab.txt when known). */
  public void exportHuggingFace(Path dir) {
    write(dir, Map.of());
  }

  private void write(Path dir, Map<String, ObjectNode> extra) {
    checkOpen();
    Map<String, float[]> weights = new LinkedHashMap<>();
    for (CheckpointNames e : CheckpointNames.forConfig(config, CheckpointNames.Part.values())) {
      if (sd.hasVariable(e.canonical())) {
        weights.put(e.canonical(), sd.getVariable(e.canonical()).getArr().castTo(DataType.FLOAT).dup().data()
            .asFloat());
      }
    }
    HuggingFaceWriter.write(dir, config, weights, Optional.ofNullable(vocab), extra);
  }

  /**
   * Runs the encoder in inference mode (dropout off).
   *
   * @param inputWordIds [B,T] token ids in [0,V)
   * @param inputMask [B,T] 1 for real tokens, 0 for padding
   * @param inputTypeIds [B,T] segment ids in [0, type_vocab_size)
   * @throws JbertException when the arrays are ragged or differ in shape, T exceeds P, or an id is out of range
   */
  public EncoderResult encode(int[][] inputWordIds, int[][] inputMask, int[][] inputTypeIds) {
    checkOpen();
    checkInputs(inputWordIds, inputMask, inputTypeIds);
    Map<String, INDArray> ph = placeholders(inputWordIds, inputMask, inputTypeIds);
    List<String> names = new ArrayList<>(List.of(BertGraph.POOLED_OUTPUT, BertGraph.SEQUENCE_OUTPUT,
        BertGraph.EMBEDDING_OUTPUT));
    for (SDVariable v : outputs.encoderOutputs()) names.add(v.name());
    BertGraph.setTraining(sd, false);
    Map<String, INDArray> r = sd.output(ph, names.toArray(new String[0]));
    ph.values().forEach(INDArray::close);
    List<INDArray> layers = new ArrayList<>();
    for (SDVariable v : outputs.encoderOutputs()) layers.add(r.get(v.name()));
    return new EncoderResult(r.get(BertGraph.POOLED_OUTPUT), r.get(BertGraph.SEQUENCE_OUTPUT), List.copyOf(layers),
        r.get(BertGraph.EMBEDDING_OUTPUT));
  }

  /**
   * Checks encoder inputs as {@link #encode} does (same shape [B,T] for all three, T at most P, ids in range) and
   * returns T; heads that run their own outputs call this first.
   *
   * @throws JbertException naming the input, row and value at fault
   */
  public int checkInputs(int[][] inputWordIds, int[][] inputMask, int[][] inputTypeIds) {
    checkOpen();
    return checkInputs(config, inputWordIds, inputMask, inputTypeIds);
  }

  /**
   * The same checks for graphs built from {@code config} without a BertModel (e.g. a task model's own graph);
   * returns T.
   *
   * @throws JbertException naming the input, row and value at fault
   */
  public static int checkInputs(BertConfig config, int[][] inputWordIds, int[][] inputMask, int[][] inputTypeIds) {
    int t = check("input_word_ids", inputWordIds, -1, config.vocabSize(), "vocab_size");
    int b = inputWordIds.length;
    check("input_mask", inputMask, t, 2, null);
    check("input_type_ids", inputTypeIds, t, config.typeVocabSize(), "type_vocab_size");
    if (inputMask.length != b || inputTypeIds.length != b) {
      throw new JbertException("input_word_ids has " + b + " rows but input_mask has " + inputMask.length
          + " and input_type_ids " + inputTypeIds.length + "; expected the same batch size");
    }
    if (t > config.maxPositionEmbeddings()) {
      throw new JbertException("sequence length " + t + " exceeds max_position_embeddings "
          + config.maxPositionEmbeddings() + "; truncate the input to at most " + config.maxPositionEmbeddings()
          + " tokens");
    }
    return t;
  }

  /** The three encoder placeholders as a mutable map of fresh arrays (the caller closes them). */
  public static Map<String, INDArray> placeholders(int[][] inputWordIds, int[][] inputMask, int[][] inputTypeIds) {
    Map<String, INDArray> ph = new HashMap<>();
    ph.put(BertGraph.INPUT_WORD_IDS, Nd4j.createFromArray(inputWordIds));
    ph.put(BertGraph.INPUT_MASK, Nd4j.createFromArray(inputMask));
    ph.put(BertGraph.INPUT_TYPE_IDS, Nd4j.createFromArray(inputTypeIds));
    return ph;
  }

  /** Checks shape and value range; returns T. {@code t} < 0 means "take it from the first row". */
  private static int check(String what, int[][] a, int t, int limit, String limitKey) {
    if (a == null || a.length == 0) throw new JbertException(what + " is empty; expected B >= 1 rows");
    for (int i = 0; i < a.length; i++) {
      if (a[i] == null) throw new JbertException(what + " row " + i + " is null");
      if (t < 0) {
        t = a[i].length;
        if (t == 0) throw new JbertException(what + " row 0 is empty; expected T >= 1 tokens");
      }
      if (a[i].length != t) {
        throw new JbertException(what + " row " + i + " has " + a[i].length + " entries; expected " + t
            + " (all rows and inputs must have the same length; pad them)");
      }
      for (int j = 0; j < t; j++) {
        int v = a[i][j];
        if (v < 0 || v >= limit) {
          if (limitKey == null) {
            throw new JbertException(what + "[" + i + "][" + j + "] is " + v + "; expected 0 or 1");
          }
          throw new JbertException(what + "[" + i + "][" + j + "] is " + v + ", outside [0, " + limit + "): "
              + limitKey + " is " + limit);
        }
      }
    }
    return t;
  }

  public BertConfig config() {
    return config;
  }

  /** The graph; heads add their ops here. */
  public SameDiff sameDiff() {
    return sd;
  }

  /** The encoder's variables for heads to build on. */
  public EncoderOutputs outputs() {
    return outputs;
  }

  /** The vocab.txt that came with the weights, when known. */
  public Optional<Path> vocab() {
    return Optional.ofNullable(vocab);
  }

  /** What the weight import did (empty for {@link #random} models). */
  public Optional<ImportReport> importReport() {
    return Optional.ofNullable(importReport);
  }

  /** The number of trainable parameters. */
  public long parameterCount() {
    long n = 0;
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE) n += v.getArr().length();
    }
    return n;
  }

  private void checkOpen() {
    if (closed) throw new IllegalStateException("this BertModel is closed");
  }

  /** Frees the native memory of the weights; the model cannot be used afterwards. */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE || v.getVariableType() == VariableType.CONSTANT) {
        INDArray a = v.getArr();
        if (a != null && a.closeable()) a.close();
      }
    }
  }
}
