package org.jbert.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.jbert.pretraining.data.PretrainingDataGenerator;
import org.jbert.pretraining.data.PretrainingDataOptions;
import org.jbert.pretraining.data.PretrainingDataStats;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code jbert pretrain-data}: masked-LM / next-sentence pretraining instances from a plain-text corpus, as Google's
 * create_pretraining_data.py makes them, written as JSON Lines. See {@link PretrainingDataGenerator} for the
 * semantics and the (documented) differences for bounded memory.
 */
@Command(
    name = "pretrain-data",
    mixinStandardHelpOptions = true,
    description = {
      "Creates BERT pretraining instances (masked LM + next sentence) from a corpus with one sentence per line and"
          + " a blank line between documents, with the semantics of Google's create_pretraining_data.py.",
      "Writes one JSON line per instance: input_ids, input_mask, segment_ids (padded to --max-seq-length),"
          + " masked_lm_positions, masked_lm_ids, masked_lm_weights (padded to --max-predictions-per-seq),"
          + " next_sentence_label (0 = B follows A, 1 = random B)."
    })
public final class PretrainDataCommand implements Runnable {
  private static final PretrainingDataOptions DEFAULTS = PretrainingDataOptions.defaults();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin VocabOptions vocab;

  @Option(names = "--input", required = true, paramLabel = "CORPUS",
      description = "UTF-8 text: one sentence per line, a blank line between documents")
  Path input;

  @Option(names = "--output", required = true, paramLabel = "FILE",
      description = "JSON Lines output, written to a temp file and renamed into place")
  Path output;

  @Option(names = "--max-seq-length", paramLabel = "N", description = "T, padded length of every instance"
      + " (default: ${DEFAULT-VALUE}; at least 5)")
  int maxSeqLength = DEFAULTS.maxSeqLength();

  @Option(names = "--max-predictions-per-seq", paramLabel = "N",
      description = "most masked positions per instance (default: ${DEFAULT-VALUE}; at least 1)")
  int maxPredictionsPerSeq = DEFAULTS.maxPredictionsPerSeq();

  @Option(names = "--masked-lm-prob", paramLabel = "P",
      description = "fraction of each instance's tokens to predict (default: ${DEFAULT-VALUE}; in (0, 1))")
  double maskedLmProb = DEFAULTS.maskedLmProb();

  @Option(names = "--dupe-factor", paramLabel = "N",
      description = "passes over the corpus, each with other splits and masks (default: ${DEFAULT-VALUE})")
  int dupeFactor = DEFAULTS.dupeFactor();

  @Option(names = "--short-seq-prob", paramLabel = "P",
      description = "probability of a shorter random target length (default: ${DEFAULT-VALUE}; in [0, 1])")
  double shortSeqProb = DEFAULTS.shortSeqProb();

  @Option(names = "--whole-word-mask", description = "mask all pieces of a word together")
  boolean wholeWordMask;

  @Option(names = "--seed", paramLabel = "N", description = "random seed; the same seed gives the same output"
      + " (default: ${DEFAULT-VALUE})")
  long seed = DEFAULTS.seed();

  @Option(names = "--shard-documents", paramLabel = "N",
      description = "documents per shard: memory holds one shard, and random next segments come from the same"
          + " shard (default: ${DEFAULT-VALUE})")
  int shardDocuments = DEFAULTS.shardDocuments();

  @Override
  public void run() {
    PretrainingDataOptions options = new PretrainingDataOptions(maxSeqLength, maxPredictionsPerSeq, maskedLmProb,
        dupeFactor, shortSeqProb, wholeWordMask, seed, shardDocuments);
    PretrainingDataGenerator generator = PretrainingDataGenerator.forBert(vocab.tokenizer(), options);
    PretrainingDataStats s = generator.writeJsonLines(input, output);
    PrintWriter err = spec.commandLine().getErr();
    err.printf("wrote %d instances to %s (%d documents, %d sentences, %d shards; %d masked positions,"
            + " %d random-next)%n",
        s.instances(), output, s.documents(), s.sentences(), s.shards(), s.maskedPositions(), s.randomNext());
    err.flush();
  }
}
