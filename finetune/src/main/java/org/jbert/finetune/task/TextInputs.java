package org.jbert.finetune.task;

import java.nio.file.Path;
import java.util.Optional;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.tokenize.BertTokenizer;
import org.jbert.core.tokenize.TokenizerConfig;
import org.jbert.core.tokenize.Truncation;
import org.jbert.core.tokenize.Vocab;

/**
 * How texts become encoder inputs for one model: its config (vocab size, type vocab size, max positions), its
 * tokenizer when it has a vocabulary (vocab.txt or tokenizer.json, with tokenizer_config.json's switches:
 * {@link TokenizerConfig}), and T.
 *
 * @param config the model's encoder config
 * @param tokenizer the model's tokenizer; empty for a model without vocab.txt (then only pre-tokenized rows work)
 * @param maxSeqLength T: the data's max_seq_length cut to the model's max_position_embeddings
 * @param model the model's name or folder, for messages
 * @param truncation which pieces of a single text longer than T - 2 are kept
 */
public record TextInputs(BertConfig config, Optional<BertTokenizer> tokenizer, int maxSeqLength, String model,
    Truncation truncation) {

  public TextInputs {
    if (maxSeqLength < 3) throw new JbertException("max_seq_length " + maxSeqLength + "; expected >= 3");
    if (truncation == null) truncation = Truncation.HEAD;
  }

  /** These inputs with single texts cut as {@code t} says. */
  public TextInputs withTruncation(Truncation t) {
    return new TextInputs(config, tokenizer, maxSeqLength, model, t);
  }

  /** A preprocessor for these inputs (dynamic padding); {@code where} names the data for a missing vocabulary. */
  public org.jbert.core.tokenize.Preprocessor preprocessor(String where) {
    return new org.jbert.core.tokenize.Preprocessor(tokenizer(where), maxSeqLength, true, truncation);
  }

  /**
   * Inputs of a model with {@code config} and {@code vocab} (vocab.txt or tokenizer.json, or empty),
   * T = min(maxSeqLength, P). A vocabulary with more entries than the model's {@code vocab_size} is refused here, at
   * load, before it can produce an id the embedding table does not have.
   */
  public static TextInputs of(BertConfig config, Optional<Path> vocab, int maxSeqLength, String model) {
    Optional<Vocab> loaded = vocab.map(Vocab::load);
    if (loaded.isPresent() && loaded.get().size() > config.vocabSize()) {
      throw new JbertException(model + ": the vocabulary " + vocab.get() + " has " + loaded.get().size()
          + " entries but the model's vocab_size is " + config.vocabSize() + "; expected at most "
          + config.vocabSize() + " (the model's own vocab.txt)");
    }
    Optional<BertTokenizer> tok = loaded.map(v -> TokenizerConfig.forFolder(vocab.get().toAbsolutePath().getParent(), v)
        .tokenizer(v));
    return new TextInputs(config, tok, Math.min(maxSeqLength, config.maxPositionEmbeddings()), model, Truncation.HEAD);
  }

  /** The tokenizer; a JbertException naming {@code where} (the data file) when the model has no vocabulary. */
  public BertTokenizer tokenizer(String where) {
    return tokenizer.orElseThrow(() -> new JbertException(where + ": text needs the model's vocabulary, but " + model
        + " has no vocab.txt (or tokenizer.json) beside its weights; expected one there, or pre-tokenized"
        + " input_word_ids rows"));
  }
}
