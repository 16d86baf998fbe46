package org.jbert.finetune.run;

import org.jbert.core.JbertException;
import org.jbert.core.train.TrainConfig;

/**
 * A fine-tuning run file ({@code bin/jbert run configs/finetune-*.yaml}) for sequence classification, bound by
 * {@link org.jbert.core.config.yaml.YamlBinder}: unknown keys are rejected with their key path.
 *
 * @param task always {@code finetune}
 * @param model a pretrained name ({@code bert-base-uncased}) or a model folder whose encoder is fine-tuned
 * @param head the task head
 * @param data the labeled data
 * @param train the shared training section
 */
public record FinetuneRunConfig(String task, String model, Head head, Data data, TrainConfig train) {
  public static final String TASK = "finetune";

  public FinetuneRunConfig {
    if (!TASK.equals(task)) throw new JbertException("task is '" + task + "'; expected " + TASK);
  }

  public static FinetuneRunConfig defaults() {
    return new FinetuneRunConfig(TASK, "bert-base-uncased", Head.defaults(), Data.defaults(), TrainConfig.defaults());
  }

  /**
   * @param type the registered head type (built-in: {@code sequence_classification}; or a custom head's name)
   * @param dropout dropout before the output layer (BERT: 0.1)
   */
  public record Head(String type, double dropout) {
    public static Head defaults() {
      return new Head("sequence_classification", 0.1);
    }
  }

  /**
   * Labeled texts: JSON Lines files ({@code text}, optional {@code text_b}, {@code label}), or
   * {@code source: spamassassin} for the SpamAssassin splits made by {@code jbert data spamassassin} (written into the
   * run folder with the default seed when {@code train} is empty).
   *
   * @param source {@code jsonl} or {@code spamassassin}
   * @param train training file (JSON Lines)
   * @param dev evaluation file during training; empty = none
   * @param test final evaluation file; empty = none
   * @param maxSeqLength longest input in tokens, [CLS] and [SEP] included (batches pad to their longest row)
   * @param maxTrainExamples use at most this many training examples, a random sample seeded by {@code train.seed}
   *     (kept in file order); 0 = all
   */
  public record Data(String source, String train, String dev, String test, int maxSeqLength, int maxTrainExamples) {
    public static final String SPAMASSASSIN = "spamassassin";
    public static final String JSONL = "jsonl";

    public Data {
      if (!SPAMASSASSIN.equals(source) && !JSONL.equals(source)) {
        throw new JbertException("data.source is '" + source + "'; expected jsonl or spamassassin");
      }
      if (maxSeqLength < 3) throw new JbertException("data.max_seq_length is " + maxSeqLength + "; expected >= 3");
      if (maxTrainExamples < 0) {
        throw new JbertException("data.max_train_examples is " + maxTrainExamples + "; expected >= 0 (0 = all)");
      }
    }

    public static Data defaults() {
      return new Data(SPAMASSASSIN, "", "", "", 128, 0);
    }
  }
}
