package org.jbert.finetune.run;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import org.jbert.core.JbertException;
import org.jbert.core.config.RunConfig;
import org.jbert.core.tokenize.Truncation;
import org.jbert.core.train.TrainConfig;
import org.jbert.datasets.EmailText;
import org.jbert.finetune.task.DataFormat;

/**
 * A fine-tuning run file ({@code bin/jbert run configs/finetune-*.yaml}) for any built-in head (sequence
 * classification or regression, token classification, extractive QA) or a registered custom head, bound by
 * {@link org.jbert.core.config.ConfigMapper} as the {@link RunConfig} of its task: unknown keys are rejected with their
 * key path.
 *
 * @param task always {@code finetune}
 * @param model where the run starts: a pretrained name ({@code bert-base-uncased}) or an encoder folder (a fresh head
 *     on top), or a task model folder whose head is fine-tuned further: a Hugging Face folder whose
 *     {@code architectures} name a head ({@code BertForSequenceClassification}, ...) or a jbert folder saved with a
 *     head (a run's {@code model/})
 * @param head the task head
 * @param data the labeled data
 * @param train the shared training section
 * @param distributed data-parallel training on an engine found on the class path (engine {@code none}: this process)
 */
@JsonTypeName(FinetuneRunConfig.TASK)
@JsonTypeInfo(use = JsonTypeInfo.Id.NONE)
public record FinetuneRunConfig(String task, String model, Head head, Data data, TrainConfig train,
    Distributed distributed) implements RunConfig {
  public static final String TASK = "finetune";

  public FinetuneRunConfig {
    if (!TASK.equals(task)) throw new JbertException("task is '" + task + "'; expected " + TASK);
  }

  public static FinetuneRunConfig defaults() {
    return new FinetuneRunConfig(TASK, "bert-base-uncased", Head.defaults(), Data.defaults(), TrainConfig.defaults(),
        Distributed.defaults());
  }

  /** This config with another train section (e.g. a batch size cut to the training set). */
  public FinetuneRunConfig withTrain(TrainConfig t) {
    return new FinetuneRunConfig(task, model, head, data, t, distributed);
  }

  /**
   * Data-parallel training ({@link DistributedTraining}): each micro-batch of {@code train.batch_size} rows is cut into
   * {@code workers} shares whose summed gradients the driver averages by example count before the trainer's clipping,
   * schedule and AdamW; everything else (checkpoints, resume, metrics, report) is the single-process run's.
   *
   * @param engine {@code none} (this process) or {@code spark} (needs jbert-spark on the class path)
   * @param master the engine's master, e.g. {@code local[2]} or {@code spark://host:7077}
   * @param workers shares (Spark tasks) per micro-batch
   * @param microBatches micro-batches each worker runs one after another on its share before returning its gradient
   *     (the transfer happens once per averaging step; more of them = less memory per worker)
   * @param reduction how the workers' gradients are summed: {@code driver} (the driver collects each worker's
   *     gradient: its inbound transfer grows with the workers) or {@code shuffle} (a reduce-scatter through a Spark
   *     shuffle: each node sends and receives about one gradient, the driver one); the same numbers either way
   */
  public record Distributed(String engine, String master, int workers, int microBatches, String reduction) {
    public Distributed {
      if (reduction == null || !(reduction.equals("driver") || reduction.equals("shuffle"))) {
        throw new JbertException("distributed.reduction is " + reduction + "; expected driver or shuffle");
      }
      if (engine == null || !(engine.equals("none") || engine.equals("spark"))) {
        throw new JbertException("distributed.engine is " + engine + "; expected none or spark");
      }
      if (workers < 1) throw new JbertException("distributed.workers is " + workers + "; expected >= 1");
      if (microBatches < 1) {
        throw new JbertException("distributed.micro_batches is " + microBatches + "; expected >= 1");
      }
    }

    public static Distributed defaults() {
      return new Distributed("none", "local[2]", 2, 1, "driver");
    }

    /** Whether another engine than this process trains. */
    public boolean enabled() {
      return !engine.equals("none");
    }
  }

  /**
   * @param type the registered head type: {@code sequence_classification}, {@code token_classification},
   *     {@code question_answering}, or a custom head's name; it must match the head of a task model folder
   * @param dropout dropout before the output layer while training (BERT: 0.1); also replaces the stored rate of an
   *     imported head
   * @param numLabels 0 = the number of distinct training labels (or the imported head's); 1 = regression (numeric
   *     labels, mean squared error; sequence classification only); otherwise it must equal that number
   */
  public record Head(String type, double dropout, int numLabels) {
    public Head {
      if (numLabels < 0) {
        throw new JbertException("head.num_labels is " + numLabels + "; expected 0 (from the data), 1 (regression) or"
            + " the number of labels");
      }
    }

    public static Head defaults() {
      return new Head("sequence_classification", 0.1, 0);
    }
  }

  /**
   * Labeled data files in one format, and how they become model inputs. With {@code source: spamassassin} and an
   * empty {@code train}, the SpamAssassin splits of {@code jbert data spamassassin} are written into the run folder
   * (default seed) and used as train/dev/test. Relative paths are relative to the working folder.
   *
   * @param source the files' format (see {@link DataFormat.Source}): {@code jsonl}, {@code tsv}, {@code conll},
   *     {@code squad} or {@code spamassassin}
   * @param train training file
   * @param dev evaluation file during training (metrics in metrics.jsonl); empty = none
   * @param test final evaluation file (test_metrics.json); empty = none
   * @param maxSeqLength longest input in tokens, [CLS] and [SEP] included (batches pad to their longest row)
   * @param maxTrainExamples use at most this many training examples, a random sample seeded by {@code train.seed}
   *     (kept in file order); 0 = all
   * @param tsv TSV columns ({@code source: tsv})
   * @param conll CoNLL tag column ({@code source: conll})
   * @param squad SQuAD windows and answer extraction ({@code source: squad})
   * @param truncation which pieces of a single text longer than max_seq_length - 2 are kept: {@code head} (the
   *     first ones, as Hugging Face cuts) or {@code head_tail} ({@code head_tokens} from the start, the rest from the
   *     end); the same must be used to predict and evaluate
   * @param headTokens pieces kept from the start with {@code head_tail}; 0 with {@code head}
   * @param emailText what the text of an email holds with {@code source: spamassassin}: {@code raw} (subject and the
   *     body as the message has it) or {@code plain} (subject and the body's readable text: MIME parts walked,
   *     base64 and quoted-printable decoded, HTML to text; {@link EmailText}); the splits are the same either way
   */
  public record Data(DataFormat.Source source, String train, String dev, String test, int maxSeqLength,
      int maxTrainExamples, DataFormat.Tsv tsv, DataFormat.Conll conll, DataFormat.Squad squad,
      Truncation.Mode truncation, int headTokens, EmailText.Mode emailText) {

    public Data {
      if (source == null) {
        throw new JbertException("data.source is null; expected jsonl, tsv, conll, squad or spamassassin");
      }
      if (maxSeqLength < 3) throw new JbertException("data.max_seq_length is " + maxSeqLength + "; expected >= 3");
      if (maxTrainExamples < 0) {
        throw new JbertException("data.max_train_examples is " + maxTrainExamples + "; expected >= 0 (0 = all)");
      }
      if (train == null || (train.isBlank() && source != DataFormat.Source.SPAMASSASSIN)) {
        throw new JbertException("data.train is empty; expected the training file (only source spamassassin makes its"
            + " own)");
      }
      if (dev == null) dev = "";
      if (test == null) test = "";
      Truncation.of(truncation, headTokens, "data.").checkFor(maxSeqLength, "data.head_tokens");
      if (emailText == null) throw new JbertException("data.email_text is null; expected raw or plain");
      if (emailText != EmailText.Mode.RAW && (source != DataFormat.Source.SPAMASSASSIN || !train.isBlank())) {
        throw new JbertException("data.email_text is " + emailText.name().toLowerCase(java.util.Locale.ROOT)
            + " but the data are not the built-in SpamAssassin splits (source " + source.name().toLowerCase(
            java.util.Locale.ROOT) + (train.isBlank() ? "" : ", data.train " + train) + "); expected raw, or source"
            + " spamassassin with no data.train");
      }
    }

    public static Data defaults() {
      return new Data(DataFormat.Source.SPAMASSASSIN, "", "", "", 128, 0, DataFormat.Tsv.defaults(),
          DataFormat.Conll.defaults(), DataFormat.Squad.defaults(), Truncation.Mode.HEAD, 0, EmailText.Mode.RAW);
    }

    /** How the files are read and encoded. */
    public DataFormat format() {
      return new DataFormat(source, maxSeqLength, tsv, conll, squad, new Truncation(truncation, headTokens));
    }
  }
}
