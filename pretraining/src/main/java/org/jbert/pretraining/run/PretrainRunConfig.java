package org.jbert.pretraining.run;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import org.jbert.core.JbertException;
import org.jbert.core.config.RunConfig;
import org.jbert.core.train.TrainConfig;
import org.jbert.pretraining.data.PretrainingDataOptions;

/**
 * A pretraining run file ({@code bin/jbert run configs/pretrain-*.yaml}), bound by
 * {@link org.jbert.core.config.ConfigMapper} as the {@link RunConfig} of its task: unknown keys are rejected with their
 * key path.
 *
 * @param task always {@code pretrain}
 * @param model where the weights start
 * @param data the corpus and how instances are made from it
 * @param train the shared training section
 */
@JsonTypeName(PretrainRunConfig.TASK)
@JsonTypeInfo(use = JsonTypeInfo.Id.NONE)
public record PretrainRunConfig(String task, Model model, Data data, TrainConfig train) implements RunConfig {
  public static final String TASK = "pretrain";

  public PretrainRunConfig {
    if (!TASK.equals(task)) throw new JbertException("task is '" + task + "'; expected " + TASK);
  }

  public static PretrainRunConfig defaults() {
    return new PretrainRunConfig(TASK, Model.defaults(), Data.defaults(), TrainConfig.defaults());
  }

  /**
   * The model. With {@code from} set, continue pretraining those weights (a pretrained name such as
   * {@code bert-base-uncased}, or a model folder); the NSP head starts fresh when they have none. With {@code from}
   * empty, a new BERT of the sizes below starts from Google's initialization.
   *
   * @param from pretrained name or folder to continue from; empty = from scratch
   * @param vocab from scratch: a bundled vocabulary ({@code bert-base-uncased}, {@code bert-base-cased}) or a vocab.txt
   * @param hiddenSize from scratch: H (BERT-base 768)
   * @param numHiddenLayers from scratch: L (12)
   * @param numAttentionHeads from scratch: N (12); H must be divisible by N
   * @param intermediateSize from scratch: I (4H)
   * @param maxPositionEmbeddings from scratch: P, at least data.instances.max_seq_length
   * @param dropout from scratch: hidden and attention dropout (0.1)
   * @param nsp train the next-sentence head too
   */
  public record Model(String from, String vocab, int hiddenSize, int numHiddenLayers, int numAttentionHeads,
      int intermediateSize, int maxPositionEmbeddings, double dropout, boolean nsp) {
    public static Model defaults() {
      return new Model("", "bert-base-uncased", 128, 2, 2, 512, 128, 0.1, true);
    }

    public boolean fromScratch() {
      return from == null || from.isBlank();
    }
  }

  /**
   * The corpus: a text file with one sentence per line and a blank line between documents, or {@code spamassassin}
   * (the email bodies, split into sentences). A seeded share of whole documents is held out for evaluation.
   *
   * @param corpus a file path, or {@code spamassassin}
   * @param maxDocuments at most this many documents are read
   * @param devFraction share of documents held out for evaluation (0 = no evaluation)
   * @param instances how documents become masked-LM / next-sentence instances ({@code create_pretraining_data.py})
   */
  public record Data(String corpus, int maxDocuments, double devFraction, PretrainingDataOptions instances) {
    public static final String SPAMASSASSIN = "spamassassin";

    public Data {
      if (maxDocuments < 2) throw new JbertException("data.max_documents is " + maxDocuments + "; expected >= 2");
      if (!(devFraction >= 0 && devFraction < 1)) {
        throw new JbertException("data.dev_fraction is " + devFraction + "; expected a number in [0, 1)");
      }
    }

    public static Data defaults() {
      return new Data(SPAMASSASSIN, 100_000, 0.05, PretrainingDataOptions.defaults());
    }
  }
}
