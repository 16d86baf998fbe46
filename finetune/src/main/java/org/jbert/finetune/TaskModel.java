package org.jbert.finetune;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.graph.BertGraph;
import org.jbert.core.graph.DropoutSeeds;
import org.jbert.core.train.GraphTrainable;
import org.jbert.core.graph.EncoderOutputs;
import org.jbert.core.model.BertModel;
import org.jbert.core.train.Trainable;
import org.jbert.core.weights.CheckpointNames;
import org.jbert.core.weights.ImportReport;
import org.jbert.core.weights.WeightImporter;
import org.jbert.core.weights.WeightSource;
import org.jbert.finetune.head.HeadContext;
import org.jbert.finetune.head.HeadOutputs;
import org.jbert.finetune.head.Labels;
import org.jbert.finetune.head.TaskHead;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A BERT encoder and a {@link TaskHead} in one SameDiff, ready to predict, to compute loss and gradients for a
 * trainer, and to save.
 *
 * <p>Sources: fresh weights ({@link #random}), a pretrained encoder with a fresh head ({@link #fromPretrained}), a
 * Hugging Face task folder or a jbert folder ({@link TaskModelFiles}, which also saves: {@link #save}); any model
 * folder or pretrained name opens with {@link Models#open}.
 *
 * <p>Output contract ({@link #predict}): {@code logits} ([B,C] classification, [B,T,C] tagging) or
 * {@code start_logits} and {@code end_logits} [B,T] (QA).
 */
public final class TaskModel implements Trainable<Batch>, AutoCloseable {
  /** The key of the head metadata in jbert.json. */
  public static final String HEAD_KEY = "head";

  private final BertConfig config;
  private final TaskHead head;
  private final HeadContext ctx;
  private final SameDiff sd;
  private final EncoderOutputs enc;
  private final HeadOutputs out;
  private final Labels labels;
  private final SDVariable loss;
  private final DropoutSeeds dropoutSeeds;
  private final GraphTrainable<Batch> trainable;
  private Path vocab;
  private ImportReport importReport;
  private boolean closed;

  TaskModel(TaskHead head, HeadContext ctx) {
    this.config = ctx.config();
    this.head = head;
    this.ctx = ctx;
    this.sd = SameDiff.create();
    this.enc = BertGraph.buildOnKernels(sd, config, ctx.dtype(), head.usesPooler());
    this.out = head.build(sd, enc, ctx);
    this.labels = Labels.declare(sd, head.labels(ctx));
    this.loss = head.loss(sd, out, labels).rename("loss");
    sd.setLossVariables(loss);
    this.dropoutSeeds = DropoutSeeds.attach(sd);
    this.trainable = new GraphTrainable<>(sd, loss.name(), this::placeholders, this::closeInputs, dropoutSeeds);
    List<String> undeclared = new ArrayList<>(trainableVariables());
    for (CheckpointNames e : tableEntries()) undeclared.remove(e.canonical());
    if (!undeclared.isEmpty()) {
      throw new JbertException("head '" + head.type() + "' creates variables it does not declare in weights(): "
          + undeclared);
    }
  }

  /** Encoder and head with fresh weights (google-research/bert's initializers; see {@link BertModel#random}). */
  public static TaskModel random(TaskHead head, HeadContext ctx, long seed) {
    TaskModel m = new TaskModel(head, ctx);
    BertModel.initialize(m.sd, m.tableEntries(), ctx.config().initializerRange(), seed);
    return m;
  }

  /**
   * A pretrained encoder (every encoder variable must be in {@code source}, with the right shape) with the head's
   * weights taken from the source when it has them and fresh otherwise. Tensors of other heads (MLM, NSP) are
   * ignored; {@link #importReport()} lists them.
   */
  public static TaskModel fromPretrained(WeightSource source, TaskHead head, HeadContext ctx, long seed) {
    TaskModel m = new TaskModel(head, ctx);
    try {
      ImportReport r = WeightImporter.load(m.sd, source, false);
      List<String> headNames = head.weights(ctx).stream().map(CheckpointNames::canonical).toList();
      List<String> missingEncoder = r.missing().stream().filter(n -> !headNames.contains(n)).toList();
      if (!missingEncoder.isEmpty() || !r.shapeMismatches().isEmpty()) {
        throw new JbertException(source.description() + ": encoder weights do not match: missing " + missingEncoder
            + ", shape mismatches " + r.shapeMismatches());
      }
      List<CheckpointNames> fresh = head.weights(ctx).stream().filter(e -> r.missing().contains(e.canonical()))
          .toList();
      BertModel.initialize(m.sd, fresh, ctx.config().initializerRange(), seed);
      m.imported(r, source.vocab().orElse(null));
      return m;
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
  }

  /**
   * Runs the model in inference mode (dropout off) and returns the head's outputs by contract name
   * ({@code logits}, or {@code start_logits} and {@code end_logits}). The caller closes the arrays.
   */
  public Map<String, INDArray> predict(int[][] inputWordIds, int[][] inputMask, int[][] inputTypeIds) {
    return output(Batch.inputs(inputWordIds, inputMask, inputTypeIds), false,
        out.outputs().keySet().toArray(new String[0]));
  }

  /**
   * Any variables of the graph ({@code sequence_output}, {@code logits}, {@code loss}, ...) for {@code batch}, with
   * dropout on when {@code training}. Label placeholders are fed when the batch has them (needed for {@code loss}).
   */
  public Map<String, INDArray> output(Batch batch, boolean training, String... names) {
    checkOpen();
    Map<String, INDArray> ph = placeholders(batch);
    try {
      BertGraph.setTraining(sd, training);
      if (training) dropoutSeeds.beginRun();
      return sd.output(ph, names);
    } finally {
      BertGraph.setTraining(sd, false);
      closeInputs(ph);
    }
  }

  /** The loss of {@code batch} in inference mode (dropout off). */
  public double loss(Batch batch) {
    requireLabels(batch);
    Map<String, INDArray> r = output(batch, false, loss.name());
    double v = r.get(loss.name()).getDouble(0);
    r.values().forEach(INDArray::close);
    return v;
  }

  /**
   * The loss of {@code batch} and its gradient for every trainable variable (canonical names, Google layout), from
   * one forward and backward pass in training mode (dropout on, masks seeded by {@link DropoutSeeds} from
   * {@code Nd4j.getRandom().getSeed()}). This is what the {@link org.jbert.core.train.Trainer} calls each
   * micro-batch. The caller may close the gradient arrays.
   */
  @Override
  public LossAndGradients lossAndGradients(Batch batch) {
    checkOpen();
    requireLabels(batch);
    return trainable.lossAndGradients(batch);
  }

  /** Fixes the dropout masks of the next {@link #lossAndGradients} call (the trainer calls it per micro-batch). */
  @Override
  public void seedRandom(long seed) {
    trainable.seedRandom(seed);
  }

  private void requireLabels(Batch batch) {
    for (String n : labels.placeholders().keySet()) {
      if (!batch.labels().containsKey(n)) {
        throw new JbertException("batch has no '" + n + "' labels; the " + head.type() + " head needs "
            + labels.placeholders().keySet());
      }
    }
  }

  private Map<String, INDArray> placeholders(Batch batch) {
    BertModel.checkInputs(config, batch.inputWordIds(), batch.inputMask(), batch.inputTypeIds());
    int b = batch.size();
    Map<String, INDArray> ph = new HashMap<>();
    ph.put(BertGraph.INPUT_WORD_IDS, Nd4j.createFromArray(batch.inputWordIds()));
    ph.put(BertGraph.INPUT_MASK, Nd4j.createFromArray(batch.inputMask()));
    ph.put(BertGraph.INPUT_TYPE_IDS, Nd4j.createFromArray(batch.inputTypeIds()));
    for (Map.Entry<String, INDArray> e : batch.labels().entrySet()) {
      SDVariable p = labels.placeholders().get(e.getKey());
      if (p == null) {
        throw new JbertException("batch has labels '" + e.getKey() + "' but the " + head.type() + " head takes "
            + labels.placeholders().keySet());
      }
      INDArray a = e.getValue();
      long[] want = p.placeholderShape();
      if (a.rank() != want.length || a.size(0) != b) {
        throw new JbertException("labels '" + e.getKey() + "' have shape " + Arrays.toString(a.shape())
            + "; expected " + Arrays.toString(want).replace("-1", "?") + " with B = " + b);
      }
      if (a.rank() == 2 && want.length == 2 && want[1] < 0 && a.size(1) != batch.inputWordIds()[0].length) {
        throw new JbertException("labels '" + e.getKey() + "' have shape " + Arrays.toString(a.shape())
            + "; expected [B,T] = [" + b + ", " + batch.inputWordIds()[0].length + "]");
      }
      if (want.length == 2 && want[1] > 0 && a.size(1) != want[1]) {
        throw new JbertException("labels '" + e.getKey() + "' have shape " + Arrays.toString(a.shape())
            + "; expected [" + b + ", " + want[1] + "]");
      }
      head.checkLabels(e.getKey(), a, ctx);
      ph.put(e.getKey(), a.dataType() == p.dataType() ? a : a.castTo(p.dataType()));
    }
    return ph;
  }

  private void closeInputs(Map<String, INDArray> ph) {
    for (String n : List.of(BertGraph.INPUT_WORD_IDS, BertGraph.INPUT_MASK, BertGraph.INPUT_TYPE_IDS)) {
      ph.get(n).close();
    }
  }

  /**
   * The trainable variables (encoder and head) by canonical name: the live arrays the graph computes with, which an
   * optimizer updates in place. The same map on every call.
   */
  @Override
  public Map<String, INDArray> parameters() {
    checkOpen();
    return trainable.parameters();
  }

  /** Names of every trainable variable (encoder and head), in graph order. */
  public List<String> trainableVariables() {
    List<String> l = new ArrayList<>();
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE) l.add(v.name());
    }
    return l;
  }

  /** The table entries of this model's variables: encoder (with the pooler when the head uses it) and head. */
  public List<CheckpointNames> tableEntries() {
    List<CheckpointNames> l = new ArrayList<>(head.usesPooler()
        ? CheckpointNames.forConfig(config, CheckpointNames.Part.ENCODER, CheckpointNames.Part.POOLER)
        : CheckpointNames.forConfig(config, CheckpointNames.Part.ENCODER));
    l.addAll(head.weights(ctx));
    return l;
  }

  public BertConfig config() {
    return config;
  }

  public TaskHead head() {
    return head;
  }

  public HeadContext context() {
    return ctx;
  }

  /** The graph holding encoder, head and loss. */
  public SameDiff sameDiff() {
    return sd;
  }

  public EncoderOutputs encoderOutputs() {
    return enc;
  }

  public HeadOutputs headOutputs() {
    return out;
  }

  public Labels labels() {
    return labels;
  }

  /** The scalar loss variable, named {@code loss}; also the SameDiff's loss variable. */
  public SDVariable lossVariable() {
    return loss;
  }

  /** The class names (HF id2label), or empty. */
  public List<String> labelNames() {
    return ctx.labelNames();
  }

  public Optional<Path> vocab() {
    return Optional.ofNullable(vocab);
  }

  /** What the weight import did (empty for {@link #random} models). */
  public Optional<ImportReport> importReport() {
    return Optional.ofNullable(importReport);
  }

  /** Records what the weight import did and the vocabulary file that came with the weights (null when none). */
  void imported(ImportReport report, Path vocabFile) {
    this.importReport = report;
    this.vocab = vocabFile;
  }

  void checkOpen() {
    if (closed) throw new IllegalStateException("this TaskModel is closed");
  }

  /** Saves encoder, head and label map as a jbert folder, atomically replacing {@code dir}: {@link TaskModelFiles#save}. */
  public void save(Path dir) {
    TaskModelFiles.save(this, dir);
  }

  /** Exports as a Hugging Face folder: {@link TaskModelFiles#exportHuggingFace}. */
  public void exportHuggingFace(Path dir) {
    TaskModelFiles.exportHuggingFace(this, dir);
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
