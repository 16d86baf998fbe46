package org.jbert.finetune;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jbert.core.config.BertConfig;
import org.jbert.core.model.BertModel;
import org.jbert.core.model.EncoderResult;
import org.jbert.core.tokenize.BertTokenizer;
import org.jbert.core.tokenize.TokenizerConfig;
import org.jbert.finetune.head.HeadOutputs;
import org.jbert.pretraining.PretrainingModel;
import org.jbert.pretraining.PretrainingResult;
import org.jbert.pretraining.heads.PretrainingHeads;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A model as {@link Models#open} found it: a {@link TaskModel}, a {@link PretrainingModel} or an encoder alone,
 * behind one prediction call ({@link #predict}: the head's outputs by contract name, or for an encoder
 * {@code sequence_output} [B,T,H] and {@code pooled_output} [B,H]). Closing it closes the model.
 */
public final class LoadedModel implements AutoCloseable {
  /** The model type a folder holds. */
  public enum Kind { TASK, PRETRAINING, ENCODER }

  private final String description;
  private final Path folder;
  private final TaskModel task;
  private final PretrainingModel pretraining;
  private final BertModel encoder;
  private final Set<String> perToken;
  private final List<String> notes;

  private LoadedModel(String description, Path folder, TaskModel task, PretrainingModel pretraining,
      BertModel encoder, Set<String> perToken, List<String> notes) {
    this.description = description;
    this.folder = folder;
    this.task = task;
    this.pretraining = pretraining;
    this.encoder = encoder;
    this.perToken = perToken;
    this.notes = List.copyOf(notes);
  }

  static LoadedModel task(String description, Path folder, TaskModel m) {
    try {
      return new LoadedModel(description, folder, m, null, null, probePerToken(m), List.of());
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
  }

  static LoadedModel pretraining(String description, Path folder, PretrainingModel m, List<String> notes) {
    return new LoadedModel(description, folder, null, m, null, Set.of(PretrainingHeads.PREDICTION_LOGITS), notes);
  }

  static LoadedModel encoder(String description, Path folder, BertModel m) {
    return new LoadedModel(description, folder, null, null, m, Set.of(SEQUENCE_OUTPUT), List.of());
  }

  private static final String SEQUENCE_OUTPUT = "sequence_output";
  private static final String POOLED_OUTPUT = "pooled_output";

  /**
   * The task head's outputs that are per token ([B,T,...]). A head does not declare it, so each output's second
   * dimension is compared with T on two one-row probes (T = 1 and 2): a per-row output such as [B,C] cannot follow T
   * in both, whatever C is.
   */
  private static Set<String> probePerToken(TaskModel m) {
    Set<String> both = null;
    for (int t = 1; t <= 2; t++) {
      int[][] mask = {new int[t]};
      Arrays.fill(mask[0], 1);
      Map<String, INDArray> r = m.predict(new int[1][t], mask, new int[1][t]);
      Set<String> follow = new TreeSet<>();
      for (Map.Entry<String, INDArray> e : r.entrySet()) {
        if (e.getValue().rank() >= 2 && e.getValue().size(1) == t) follow.add(e.getKey());
        e.getValue().close();
      }
      if (both == null) {
        both = follow;
      } else {
        both.retainAll(follow);
      }
    }
    return Set.copyOf(both);
  }

  /**
   * The model's outputs for one batch, by contract name, float32, dropout off; the caller closes them.
   *
   * @param ids input_word_ids [B,T]
   * @param mask input_mask [B,T]
   * @param types input_type_ids [B,T]
   */
  public Map<String, INDArray> predict(int[][] ids, int[][] mask, int[][] types) {
    if (task != null) return task.predict(ids, mask, types);
    Map<String, INDArray> out = new LinkedHashMap<>();
    if (encoder != null) {
      EncoderResult r = encoder.encode(ids, mask, types);
      out.put(SEQUENCE_OUTPUT, r.sequenceOutput());
      out.put(POOLED_OUTPUT, r.pooledOutput());
      for (INDArray a : r.encoderOutputs()) {
        if (a != r.sequenceOutput()) a.close();
      }
      if (r.embeddingOutput() != r.sequenceOutput()) r.embeddingOutput().close();
      return out;
    }
    PretrainingResult r = pretraining.predict(ids, mask, types);
    out.put(PretrainingHeads.PREDICTION_LOGITS, r.predictionLogits());
    if (r.seqRelationshipLogits() != null) {
      out.put(PretrainingHeads.SEQ_RELATIONSHIP_LOGITS, r.seqRelationshipLogits());
    }
    return out;
  }

  public Kind kind() {
    return task != null ? Kind.TASK : pretraining != null ? Kind.PRETRAINING : Kind.ENCODER;
  }

  /** Outputs shaped [B,T,...] (per token). */
  public Set<String> perTokenOutputs() {
    return perToken;
  }

  /** The task model, when this is one. */
  public Optional<TaskModel> taskModel() {
    return Optional.ofNullable(task);
  }

  /** The pretraining model, when this is one. */
  public Optional<PretrainingModel> pretrainingModel() {
    return Optional.ofNullable(pretraining);
  }

  /** The encoder, when the folder holds no head. */
  public Optional<BertModel> encoderModel() {
    return Optional.ofNullable(encoder);
  }

  /**
   * Whether predicted labels can be named: a task model with a {@value HeadOutputs#LOGITS} output (classification,
   * regression, tagging; QA and pretraining have no label map).
   */
  public boolean hasLabels() {
    return task != null && task.headOutputs().outputs().containsKey(HeadOutputs.LOGITS);
  }

  /** The head's name for messages: the task head's type, "pretraining" or "encoder". */
  public String headName() {
    return task != null ? task.head().type() : pretraining != null ? "pretraining" : "encoder";
  }

  /** What the model is, for messages: e.g. "sequence_classification head" or "pretraining heads (MLM, NSP)". */
  public String kindDescription() {
    if (task != null) return task.head().type() + " head";
    if (encoder != null) return "encoder (no head)";
    return "pretraining heads (MLM" + (pretraining.hasNsp() ? ", NSP)" : " only)");
  }

  /** The folder or name it was opened from. */
  public String description() {
    return description;
  }

  /** The folder the weights came from (a pretrained name's resolved folder). */
  public Path folder() {
    return folder;
  }

  public BertConfig config() {
    return task != null ? task.config() : pretraining != null ? pretraining.config() : encoder.config();
  }

  /** The vocabulary file beside the weights (vocab.txt, else tokenizer.json), when there is one. */
  public Optional<Path> vocab() {
    return task != null ? task.vocab() : pretraining != null ? pretraining.bert().vocab() : encoder.vocab();
  }

  /** The model's tokenizer ({@link TokenizerConfig}), when it has a vocabulary. */
  public Optional<BertTokenizer> tokenizer() {
    return vocab().map(TokenizerConfig::tokenizer);
  }

  /** Lines for standard error about what is missing (e.g. no NSP head). */
  public List<String> notes() {
    return notes;
  }

  @Override
  public void close() {
    if (task != null) task.close();
    if (pretraining != null) pretraining.close();
    if (encoder != null) encoder.close();
  }
}
