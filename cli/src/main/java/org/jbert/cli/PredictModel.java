package org.jbert.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.io.JsonFiles;
import org.jbert.core.model.BertModel;
import org.jbert.core.model.PretrainedModels;
import org.jbert.core.weights.CheckpointNames;
import org.jbert.core.weights.CheckpointNames.Part;
import org.jbert.core.weights.HuggingFaceSource;
import org.jbert.core.weights.WeightSource;
import org.jbert.core.weights.WeightSources;
import org.jbert.finetune.TaskModel;
import org.jbert.finetune.head.HeadOutputs;
import org.jbert.finetune.head.TaskHeads;
import org.jbert.pretraining.PretrainingModel;
import org.jbert.pretraining.PretrainingResult;
import org.jbert.pretraining.heads.PretrainingHeads;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The model {@code jbert predict} runs, with the head its folder holds:
 *
 * <ul>
 *   <li>a jbert folder with a task head ({@code jbert.json} with {@code head}): {@link TaskModel#load};
 *   <li>a Hugging Face folder whose {@code architectures} or weights name a task head
 *       ({@link TaskModel#huggingFaceHead}): {@link TaskModel#fromHuggingFace};
 *   <li>anything else that holds pretraining heads: a Hugging Face {@code BertForPreTraining}, {@code BertForMaskedLM}
 *       or {@code BertModel} folder, a jbert pretraining folder, a TF SavedModel, a Google checkpoint, a pretrained
 *       name: {@link PretrainingModel} with the MLM head, and the NSP head when the weights hold it (Google's
 *       SavedModels hold none; {@link #notes()} says so).
 * </ul>
 *
 * Heads are never made up: weights without an MLM head or task head are an error (the encoder alone is
 * {@code jbert embed}'s), and so is an {@code architectures} entry naming a head jbert does not have.
 */
final class PredictModel implements AutoCloseable {
  /** Hugging Face classes whose folders hold pretraining heads (or none, for BertModel). */
  static final List<String> PRETRAINING_ARCHITECTURES = List.of("BertForPreTraining", "BertForMaskedLM", "BertModel");

  private final String description;
  private final Path folder;
  private final TaskModel task;
  private final PretrainingModel pretraining;
  private final Set<String> perToken;
  private final List<String> notes;

  private PredictModel(String description, Path folder, TaskModel task, PretrainingModel pretraining,
      Set<String> perToken, List<String> notes) {
    this.description = description;
    this.folder = folder;
    this.task = task;
    this.pretraining = pretraining;
    this.perToken = perToken;
    this.notes = List.copyOf(notes);
  }

  /** Opens a model folder or pretrained name; see the class comment. */
  static PredictModel open(String dirOrName) {
    Path folder = PretrainedModels.folder(dirOrName);
    Path marker = folder.resolve(BertModel.JBERT_FILE);
    if (Files.isRegularFile(marker)) {
      if (JsonFiles.readObject(marker).has(TaskModel.HEAD_KEY)) {
        return task(dirOrName, folder, TaskModel.load(folder));
      }
      BertModel.requireJbertFolder(folder);
      return pretraining(dirOrName, folder);
    }
    if (WeightSources.detect(folder) == WeightSources.Format.SAFETENSORS) {
      if (TaskModel.huggingFaceHead(folder).isPresent()) {
        return task(dirOrName, folder, TaskModel.fromHuggingFace(folder));
      }
      Path cfgFile = folder.resolve(HuggingFaceSource.CONFIG_FILE);
      List<String> listed = new ArrayList<>();
      JsonFiles.readObject(cfgFile).path("architectures").forEach(a -> listed.add(a.asText()));
      if (!listed.isEmpty() && listed.stream().noneMatch(PRETRAINING_ARCHITECTURES::contains)) {
        Set<String> known = new TreeSet<>(PRETRAINING_ARCHITECTURES);
        for (String t : TaskHeads.types()) TaskHeads.get(t).huggingFaceArchitecture().ifPresent(known::add);
        throw new JbertException(cfgFile + ": architectures " + listed + " name no head jbert predict runs;"
            + " expected one of " + known);
      }
    }
    return pretraining(dirOrName, folder);
  }

  private static PredictModel task(String description, Path folder, TaskModel m) {
    try {
      return new PredictModel(description, folder, m, null, probePerToken(m), List.of());
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
  }

  private static PredictModel pretraining(String description, Path folder) {
    try (WeightSource src = WeightSources.open(folder)) {
      BertConfig c = src.config().orElseThrow(() -> new JbertException(src.description()
          + ": the weights come without a model config"));
      boolean mlm = holds(src, c, Part.MLM_HEAD);
      boolean nsp = holds(src, c, Part.NSP_HEAD) && holds(src, c, Part.POOLER);
      if (!mlm) {
        throw new JbertException(src.description() + ": no task head and no MLM head (" + scope(c, Part.MLM_HEAD)
            + ") in the weights, so there is nothing to predict; an encoder's outputs come from jbert embed");
      }
      List<String> notes = new ArrayList<>();
      if (!nsp) {
        notes.add(src.description() + " has no NSP head (" + scope(c, Part.NSP_HEAD) + (holds(src, c, Part.POOLER)
            ? "" : " with the pooler") + "): " + PretrainingHeads.SEQ_RELATIONSHIP_LOGITS + " is left out, only "
            + PretrainingHeads.PREDICTION_LOGITS + " is written");
      }
      PretrainingModel m = PretrainingModel.fromWeights(c, src, nsp, 0);
      return new PredictModel(description, folder, null, m, Set.of(PretrainingHeads.PREDICTION_LOGITS), notes);
    }
  }

  private static boolean holds(WeightSource src, BertConfig c, Part part) {
    return CheckpointNames.forConfig(c, part).stream().allMatch(e -> src.names().contains(e.canonical()));
  }

  /** A part's name scope for messages, e.g. {@code cls/predictions/*}. */
  private static String scope(BertConfig c, Part part) {
    String n = CheckpointNames.forConfig(c, part).get(0).canonical();
    int second = n.indexOf('/', n.indexOf('/') + 1);
    return (second < 0 ? n : n.substring(0, second)) + "/*";
  }

  /**
   * The task head's outputs that are per token ([B,T,...]). A head does not declare it, so each output's second
   * dimension is compared with T on two one-row probes (T = 1 and 2): a per-row output such as [B,C] cannot follow T
   * in both, whatever C is.
   */
  private static Set<String> probePerToken(TaskModel m) {
    Set<String> both = null;
    for (int t = 1; t <= 2; t++) {
      int[][] ids = new int[1][t];
      int[][] mask = {new int[t]};
      java.util.Arrays.fill(mask[0], 1);
      Map<String, INDArray> r = m.predict(ids, mask, new int[1][t]);
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

  /** The head's outputs for one batch, by contract name, float32; the caller closes them. */
  Map<String, INDArray> predict(int[][] ids, int[][] mask, int[][] types) {
    if (task != null) return task.predict(ids, mask, types);
    PretrainingResult r = pretraining.predict(ids, mask, types);
    Map<String, INDArray> out = new LinkedHashMap<>();
    out.put(PretrainingHeads.PREDICTION_LOGITS, r.predictionLogits());
    if (r.seqRelationshipLogits() != null) {
      out.put(PretrainingHeads.SEQ_RELATIONSHIP_LOGITS, r.seqRelationshipLogits());
    }
    return out;
  }

  /** Outputs shaped [B,T,...]: gathered per token. */
  Set<String> perTokenOutputs() {
    return perToken;
  }

  /** The task model, when this is one. */
  Optional<TaskModel> taskModel() {
    return Optional.ofNullable(task);
  }

  /**
   * Whether predicted labels can be named: a task model with a {@value HeadOutputs#LOGITS} output (classification,
   * regression, tagging; QA and pretraining have no label map).
   */
  boolean hasLabels() {
    return task != null && task.headOutputs().outputs().containsKey(HeadOutputs.LOGITS);
  }

  /** The head's name for messages: the task head's type, or "pretraining". */
  String headName() {
    return task != null ? task.head().type() : "pretraining";
  }

  /** What the model is, for messages: e.g. "sequence_classification head" or "pretraining heads (MLM, NSP)". */
  String kind() {
    if (task != null) return task.head().type() + " head";
    return "pretraining heads (MLM" + (pretraining.hasNsp() ? ", NSP)" : " only)");
  }

  String description() {
    return description;
  }

  /** The folder the weights came from (a pretrained name's resolved folder). */
  Path folder() {
    return folder;
  }

  BertConfig config() {
    return task != null ? task.config() : pretraining.config();
  }

  /** The vocab.txt beside the weights, when there is one. */
  Optional<Path> vocab() {
    return task != null ? task.vocab() : pretraining.bert().vocab();
  }

  /** Lines for standard error about what is missing (e.g. no NSP head). */
  List<String> notes() {
    return notes;
  }

  @Override
  public void close() {
    if (task != null) task.close();
    if (pretraining != null) pretraining.close();
  }
}
