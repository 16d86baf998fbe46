package org.jbert.core.weights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;

/**
 * The weights of a Google BERT TF1 checkpoint folder, read without TensorFlow: {@code bert_config.json},
 * {@code bert_model.ckpt.index} + {@code bert_model.ckpt.data-*} (a {@link TensorBundle}) and {@code vocab.txt},
 * as google-research/bert publishes them. Checkpoint names are already canonical. Optimizer slots
 * ({@code .../adam_m}, {@code .../adam_v}) and {@code global_step} are dropped silently; any other name the name
 * table does not list for the config goes to {@link #unrecognized()}.
 */
public final class TfCheckpointSource extends BundleWeightSource {

  /** The checkpoint prefix google-research/bert uses. */
  public static final String DEFAULT_PREFIX = "bert_model.ckpt";
  public static final String CONFIG_FILE = "bert_config.json";
  public static final String VOCAB_FILE = "vocab.txt";

  private TfCheckpointSource(TensorBundle bundle, String description, BertConfig config, Path vocab) {
    super(bundle, description, config, vocab, Optional::of);
  }

  /**
   * Opens a checkpoint folder. The prefix is {@code bert_model.ckpt} when its index exists, else the single
   * {@code *.index} file of the folder (e.g. {@code model.ckpt-100000.index} from a pretraining run).
   */
  public static TfCheckpointSource open(Path folder) {
    if (!Files.isDirectory(folder)) {
      throw new JbertException(folder + ": not a folder; expected a Google BERT checkpoint folder with "
          + CONFIG_FILE + " and " + DEFAULT_PREFIX + ".*");
    }
    BertConfig config = BertConfig.fromGoogleJson(folder.resolve(CONFIG_FILE));
    Path prefix = folder.resolve(DEFAULT_PREFIX);
    if (!Files.isRegularFile(folder.resolve(DEFAULT_PREFIX + ".index"))) {
      List<Path> indexes;
      try (Stream<Path> s = Files.list(folder)) {
        indexes = s.filter(p -> p.getFileName().toString().endsWith(".index")).sorted().toList();
      } catch (IOException e) {
        throw new JbertException(folder + ": cannot list (" + e.getMessage() + ")", e);
      }
      if (indexes.size() != 1) {
        throw new JbertException(folder + ": expected " + DEFAULT_PREFIX + ".index or exactly one *.index file, found "
            + indexes.stream().map(p -> p.getFileName().toString()).toList());
      }
      String f = indexes.get(0).getFileName().toString();
      prefix = folder.resolve(f.substring(0, f.length() - ".index".length()));
    }
    Path vocab = folder.resolve(VOCAB_FILE);
    return new TfCheckpointSource(TensorBundle.open(prefix), folder.toString(), config,
        Files.isRegularFile(vocab) ? vocab : null);
  }
}
