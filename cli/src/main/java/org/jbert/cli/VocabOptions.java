package org.jbert.cli;

import org.jbert.core.tokenize.BertTokenizer;
import org.jbert.core.tokenize.Vocab;
import picocli.CommandLine.Option;

/**
 * The {@code --vocab} and {@code --cased} options shared by the commands that tokenize text, as a picocli
 * {@code @Mixin}.
 */
final class VocabOptions {
  @Option(names = "--vocab", paramLabel = "FILE",
      description = "vocab.txt of the model, or a bundled one: bert-base-uncased, bert-base-cased"
          + " (default: bert-base-uncased, or bert-base-cased with --cased)")
  String vocab;

  @Option(names = "--cased", description = "keep case and accents (for cased models); the default lower-cases")
  boolean cased;

  /**
   * The {@code --vocab} file, or one of the bundled BERT-base vocabularies by name (a file of that name in the working
   * directory wins); without {@code --vocab}, the bundled one matching {@code --cased}.
   */
  Vocab load() {
    if (vocab == null) return Vocab.bundled(cased ? "bert-base-cased" : "bert-base-uncased");
    return Vocab.named(vocab);
  }

  /** BERT's tokenizer over {@link #load()}, lower-casing and stripping accents unless {@code --cased}. */
  BertTokenizer tokenizer() {
    return new BertTokenizer(load(), !cased);
  }
}
