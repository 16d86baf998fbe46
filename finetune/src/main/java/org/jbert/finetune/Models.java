package org.jbert.finetune;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.graph.MatmulPrecision;
import org.jbert.core.io.JsonFiles;
import org.jbert.core.model.BertModel;
import org.jbert.core.model.PretrainedModels;
import org.jbert.core.weights.CheckpointNames;
import org.jbert.core.weights.CheckpointNames.Part;
import org.jbert.core.weights.HuggingFaceSource;
import org.jbert.core.weights.WeightSource;
import org.jbert.core.weights.WeightSources;
import org.jbert.finetune.head.TaskHeads;
import org.jbert.pretraining.PretrainingModel;
import org.jbert.pretraining.heads.PretrainingHeads;

/**
 * The library's one entry point to a model on disk (an "AutoModel"): {@link #open} takes a model folder or a
 * pretrained name and gives the model type the folder holds, with its heads:
 *
 * <ul>
 *   <li>a jbert folder with a task head ({@code jbert.json} with {@code head}): a {@link TaskModel}
 *       ({@link TaskModelFiles#load});
 *   <li>a Hugging Face folder whose {@code architectures} or weights name a task head
 *       ({@link TaskModelFiles#huggingFaceHead}): a {@link TaskModel} ({@link TaskModelFiles#fromHuggingFace});
 *   <li>weights holding the MLM head (a Hugging Face {@code BertForPreTraining} or {@code BertForMaskedLM} folder, a
 *       jbert pretraining folder, a TF SavedModel, a Google checkpoint, a pretrained name): a {@link PretrainingModel}
 *       with the MLM head, and the NSP head when the weights hold it (Google's SavedModels hold none:
 *       {@link LoadedModel#notes()} says so);
 *   <li>anything else with an encoder (a Hugging Face {@code BertModel} folder, a saved {@link BertModel}): the
 *       encoder alone ({@link LoadedModel.Kind#ENCODER}).
 * </ul>
 *
 * Heads are never made up: {@link #openWithHead} refuses an encoder-only folder, and an {@code architectures} entry
 * naming a head jbert does not have is an error.
 */
public final class Models {
  /** Hugging Face classes whose folders hold pretraining heads (or none, for BertModel). */
  public static final List<String> PRETRAINING_ARCHITECTURES =
      List.of("BertForPreTraining", "BertForMaskedLM", "BertModel");

  private Models() {}

  /** Opens a model folder or pretrained name into the model type it holds; see the class comment. */
  public static LoadedModel open(String folderOrName) {
    return open(folderOrName, false);
  }

  /**
   * As {@link #open}, refusing a folder with no task head and no MLM head (whose outputs are the encoder's: use
   * {@link org.jbert.core.model.Bert} or {@code jbert embed}).
   */
  public static LoadedModel openWithHead(String folderOrName) {
    return open(folderOrName, true);
  }

  private static LoadedModel open(String folderOrName, boolean requireHead) {
    Path folder = PretrainedModels.folder(folderOrName);
    Path marker = folder.resolve(BertModel.JBERT_FILE);
    if (Files.isRegularFile(marker)) {
      if (JsonFiles.readObject(marker).has(TaskModel.HEAD_KEY)) {
        return LoadedModel.task(folderOrName, folder, TaskModelFiles.load(folder));
      }
      BertModel.requireJbertFolder(folder);
      return pretrainingOrEncoder(folderOrName, folder, requireHead);
    }
    if (WeightSources.detect(folder) == WeightSources.Format.SAFETENSORS) {
      if (TaskModelFiles.huggingFaceHead(folder).isPresent()) {
        return LoadedModel.task(folderOrName, folder, TaskModelFiles.fromHuggingFace(folder));
      }
      Path cfgFile = folder.resolve(HuggingFaceSource.CONFIG_FILE);
      List<String> listed = new ArrayList<>();
      JsonFiles.readObject(cfgFile).path("architectures").forEach(a -> listed.add(a.asText()));
      if (!listed.isEmpty() && listed.stream().noneMatch(PRETRAINING_ARCHITECTURES::contains)) {
        Set<String> known = new TreeSet<>(PRETRAINING_ARCHITECTURES);
        for (String t : TaskHeads.types()) TaskHeads.get(t).huggingFaceArchitecture().ifPresent(known::add);
        throw new JbertException(cfgFile + ": architectures " + listed + " name no head jbert runs;"
            + " expected one of " + known);
      }
    }
    return pretrainingOrEncoder(folderOrName, folder, requireHead);
  }

  private static LoadedModel pretrainingOrEncoder(String description, Path folder, boolean requireHead) {
    try (WeightSource src = WeightSources.open(folder)) {
      BertConfig c = src.config().orElseThrow(() -> new JbertException(src.description()
          + ": the weights come without a model config"));
      boolean mlm = holds(src, c, Part.MLM_HEAD);
      boolean nsp = holds(src, c, Part.NSP_HEAD) && holds(src, c, Part.POOLER);
      if (!mlm) {
        if (requireHead) {
          throw new JbertException(src.description() + ": no task head and no MLM head (" + scope(c, Part.MLM_HEAD)
              + ") in the weights, so there is nothing to predict; an encoder's outputs come from jbert embed");
        }
        return LoadedModel.encoder(description, folder,
            BertModel.fromWeights(c, src, true, false, MatmulPrecision.FLOAT32));
      }
      List<String> notes = new ArrayList<>();
      if (!nsp) {
        notes.add(src.description() + " has no NSP head (" + scope(c, Part.NSP_HEAD) + (holds(src, c, Part.POOLER)
            ? "" : " with the pooler") + "): " + PretrainingHeads.SEQ_RELATIONSHIP_LOGITS + " is left out, only "
            + PretrainingHeads.PREDICTION_LOGITS + " is written");
      }
      return LoadedModel.pretraining(description, folder, PretrainingModel.fromWeights(c, src, nsp, 0), notes);
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
}
