package org.jbert.core.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.graph.MatmulPrecision;
import org.jbert.core.tokenize.BertTokenizer;
import org.jbert.core.tokenize.Features;
import org.jbert.core.tokenize.Preprocessor;
import org.jbert.core.tokenize.TokenizerConfig;
import org.jbert.core.tokenize.Truncation;
import org.jbert.core.tokenize.Vocab;
import org.jbert.core.weights.WeightSource;
import org.jbert.core.weights.WeightSources;

/**
 * A pretrained BERT with its preprocessor: the Java counterpart of the TF Hub pair
 * {@code bert_en_uncased_preprocess} + {@code bert_en_uncased_L-12_H-768_A-12}. For inference: its graph has no
 * dropout ops (train through the pretraining and fine-tuning models instead).
 *
 * <pre>{@code
 * try (Bert bert = Bert.load("bert-base-uncased")) {
 *   Features in = bert.preprocess(List.of("I love pizza"));     // input_word_ids, input_mask, input_type_ids [1,128]
 *   try (EncoderResult out = bert.encode(in)) {                  // default, pooled_output [1,768],
 *     INDArray seq = out.sequenceOutput();                       // sequence_output [1,128,768], encoder_outputs 12x
 *   }
 * }
 * }</pre>
 */
public final class Bert implements AutoCloseable {

  private final String name;
  private final BertModel model;
  private final BertTokenizer tokenizer;
  private int modelMaxLength = Integer.MAX_VALUE;

  /** @param tokenizer the model's tokenizer, or null when it has none (then only pre-tokenized inputs work) */
  public Bert(String name, BertModel model, BertTokenizer tokenizer) {
    this.name = name;
    this.model = model;
    this.tokenizer = tokenizer;
    if (tokenizer != null) checkVocabSize(name, tokenizer.vocab(), model.config());
  }

  private static void checkVocabSize(String name, Vocab vocab, BertConfig config) {
    if (vocab.size() != config.vocabSize()) {
      throw new JbertException(name + ": the vocabulary " + vocab.source() + " has " + vocab.size()
          + " entries but the model's vocab_size is " + config.vocabSize());
    }
  }

  /**
   * Loads a named pretrained model ({@code bert-base-uncased}, the default, or {@code bert-base-cased}; see
   * {@link PretrainedModels}) or a model folder in any format {@link WeightSources} reads. Weights are imported
   * strictly: a missing, renamed or mis-shaped encoder weight fails with every problem listed. The tokenizer comes
   * from vocab.txt or tokenizer.json with tokenizer_config.json ({@link TokenizerConfig}); a folder with neither
   * loads without one, for pre-tokenized inputs ({@link #encode}), and {@link #preprocess} then fails.
   */
  public static Bert load(String nameOrFolder) {
    return load(nameOrFolder, MatmulPrecision.FLOAT32);
  }

  /** As {@link #load(String)}, with the dense products in {@code precision} (see {@link MatmulPrecision}). */
  public static Bert load(String nameOrFolder, MatmulPrecision precision) {
    boolean named = !Files.isDirectory(Path.of(nameOrFolder));
    Path folder = PretrainedModels.folder(nameOrFolder);
    try (WeightSource src = WeightSources.open(folder)) {
      BertConfig config = src.config().orElseThrow(() -> new JbertException(src.description()
          + ": no model config found beside the weights"));
      BertTokenizer tok = null;
      int max = Integer.MAX_VALUE;
      if (src.vocab().isPresent()) {
        Path vocabFile = src.vocab().get();
        Vocab vocab = Vocab.load(vocabFile);
        checkVocabSize(nameOrFolder, vocab, config);
        TokenizerConfig tc = named ? TokenizerConfig.of(!nameOrFolder.toLowerCase().contains("-cased"))
            : TokenizerConfig.forFolder(vocabFile.toAbsolutePath().getParent(), vocab);
        tok = tc.tokenizer(vocab);
        max = tc.cap(max);
      }
      BertModel model = BertModel.fromWeights(config, src, true, false, precision);
      Bert b = new Bert(nameOrFolder, model, tok);
      b.modelMaxLength = max;
      return b;
    }
  }

  /**
   * Whether the model in {@code folder} expects lower-cased text: {@code do_lower_case} from Hugging Face's
   * {@code tokenizer_config.json} or tokenizer.json when present, else inferred from the vocabulary
   * ({@link Vocab#isCased()}); see {@link TokenizerConfig#forFolder}.
   */
  public static boolean lowerCase(Path folder, Vocab vocab) {
    return TokenizerConfig.forFolder(folder, vocab).lowerCase();
  }

  /** TF Hub's preprocessing: {@code [CLS] text [SEP]}, padded to 128 ({@code input_word_ids} etc., [B,128]). */
  public Features preprocess(List<String> texts) {
    return new Preprocessor(tokenizer()).encode(texts);
  }

  /**
   * Preprocesses texts or pairs ({@code textsB} null, or holding nulls for single texts) to {@code seqLength}, or
   * with {@code dynamicPadding} to the longest row (at most {@code seqLength}); {@code seqLength} is cut to the
   * model's max_position_embeddings and to tokenizer_config.json's model_max_length.
   */
  public Features preprocess(List<String> texts, List<String> textsB, int seqLength, boolean dynamicPadding) {
    return preprocess(texts, textsB, seqLength, dynamicPadding, Truncation.HEAD);
  }

  /** As {@link #preprocess(List, List, int, boolean)}, single texts longer than the room cut as {@code cut} says. */
  public Features preprocess(List<String> texts, List<String> textsB, int seqLength, boolean dynamicPadding,
      Truncation cut) {
    Preprocessor p = new Preprocessor(tokenizer(), Math.min(Math.min(seqLength, modelMaxLength),
        model.config().maxPositionEmbeddings()), dynamicPadding, cut);
    return textsB == null ? p.encode(texts) : p.encodePairs(texts, textsB);
  }

  /** Runs the encoder (inference mode) on preprocessed inputs. */
  public EncoderResult encode(Features f) {
    return model.encode(f.inputWordIds(), f.inputMask(), f.inputTypeIds());
  }

  public String name() {
    return name;
  }

  public BertModel model() {
    return model;
  }

  /** The tokenizer; a JbertException when the model came without vocab.txt or tokenizer.json. */
  public BertTokenizer tokenizer() {
    if (tokenizer == null) {
      throw new JbertException(name + ": no vocab.txt or tokenizer.json beside the weights, so text cannot be"
          + " tokenized; give pre-tokenized rows (input_word_ids) or add the model's vocabulary");
    }
    return tokenizer;
  }

  /** Whether the model has a tokenizer (vocab.txt or tokenizer.json), which text inputs need. */
  public boolean hasTokenizer() {
    return tokenizer != null;
  }

  public BertConfig config() {
    return model.config();
  }

  @Override
  public void close() {
    model.close();
  }
}
