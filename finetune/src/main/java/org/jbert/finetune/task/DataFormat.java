package org.jbert.finetune.task;

import java.nio.file.Path;
import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.core.tokenize.Truncation;
import org.jbert.finetune.data.ConllReader;
import org.jbert.finetune.data.Example;
import org.jbert.finetune.data.JsonLinesReader;
import org.jbert.finetune.data.SquadReader;
import org.jbert.finetune.data.TaggedSentence;
import org.jbert.finetune.data.TsvReader;
import org.jbert.finetune.qa.QaExample;
import org.jbert.finetune.qa.QaFeatureConfig;
import org.jbert.finetune.qa.QaPostConfig;

/**
 * How a task data file is read and cut into model inputs: its format ({@link Source}), the longest input, and the
 * settings of the TSV, CoNLL and SQuAD formats. The {@code data:} section of a fine-tuning run holds these keys; the
 * eval module builds one to score a model on a file ({@link TaskPredictor}).
 *
 * @param source the file format
 * @param maxSeqLength T, the longest input in tokens with [CLS] and [SEP] (cut to the model's max positions)
 * @param tsv column choice for {@link Source#TSV}
 * @param conll tag column for {@link Source#CONLL}
 * @param squad windows and answer extraction for {@link Source#SQUAD}
 * @param truncation which pieces of a single text longer than T - 2 are kept (sequence tasks; pairs, tagging and
 *     SQuAD windows are cut as before)
 */
public record DataFormat(Source source, int maxSeqLength, Tsv tsv, Conll conll, Squad squad, Truncation truncation) {

  /** File formats. */
  public enum Source {
    /**
     * JSON Lines, one example per line: {@code text}, optional {@code text_b}, {@code label}; or pre-tokenized
     * {@code input_word_ids} (alias {@code input_ids}), optional {@code input_mask} and {@code input_type_ids}
     * (alias {@code segment_ids}), {@code label}. Sequence classification and regression.
     */
    JSONL,
    /** GLUE-style tab-separated rows, columns chosen by {@link Tsv}. Sequence classification and regression. */
    TSV,
    /** CoNLL-2003-style tagging: a token per line, its tag in a column, a blank line between sentences. */
    CONLL,
    /** SQuAD v1.1 or v2.0 JSON. Extractive question answering. */
    SQUAD,
    /** The SpamAssassin splits of {@code jbert data spamassassin} (JSON Lines with text and label). */
    SPAMASSASSIN;

    /** The task kind this format feeds. */
    public TaskKind kind() {
      return switch (this) {
        case JSONL, TSV, SPAMASSASSIN -> TaskKind.SEQUENCE_CLASSIFICATION;
        case CONLL -> TaskKind.TOKEN_CLASSIFICATION;
        case SQUAD -> TaskKind.QUESTION_ANSWERING;
      };
    }

    /** The name in run files. */
    public String yamlName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * Which columns of a TSV file to read (0-based; GLUE's files differ: SST-2 is {@code sentence, label} with a
   * header, MRPC {@code label, id1, id2, s1, s2}).
   *
   * @param textColumn the first text
   * @param textBColumn the second text of a pair, or -1 for none
   * @param labelColumn the label (a class name, or a number for regression)
   * @param skipHeader true when the first line holds column names
   */
  public record Tsv(int textColumn, int textBColumn, int labelColumn, boolean skipHeader) {
    public Tsv {
      if (textColumn < 0) throw new JbertException("data.tsv.text_column is " + textColumn + "; expected >= 0");
      if (textBColumn < -1) {
        throw new JbertException("data.tsv.text_b_column is " + textBColumn + "; expected >= 0 or -1 (none)");
      }
      if (labelColumn < 0) throw new JbertException("data.tsv.label_column is " + labelColumn + "; expected >= 0");
    }

    public static Tsv defaults() {
      return new Tsv(0, -1, 1, false);
    }

    TsvReader.Columns columns() {
      return new TsvReader.Columns(textColumn, textBColumn, labelColumn, skipHeader);
    }
  }

  /**
   * CoNLL columns: the token is the first.
   *
   * @param tagColumn the tag's 0-based column, or -1 for the last (CoNLL-2003's NER tags)
   */
  public record Conll(int tagColumn) {
    public Conll {
      if (tagColumn != -1 && tagColumn < 1) {
        throw new JbertException("data.conll.tag_column is " + tagColumn + "; expected >= 1 or -1 (the last)");
      }
    }

    public static Conll defaults() {
      return new Conll(-1);
    }
  }

  /** SQuAD v1.1 (every question has an answer) or v2.0 (some have none). */
  public enum SquadVersion {
    /** v2.0 when some question of the file is marked {@code is_impossible}, else v1.1. */
    AUTO,
    V1,
    V2
  }

  /**
   * SQuAD settings, with the flags and defaults of Google's run_squad.py.
   *
   * @param version whether the null answer ([CLS]) competes with spans
   * @param maxQueryLength questions are cut to this many word pieces
   * @param docStride word pieces from one context window's start to the next
   * @param nBestSize start and end positions tried per feature, and the n-best list's length
   * @param maxAnswerLength the longest answer in word pieces
   * @param nullScoreDiffThreshold v2.0: answer "" when null score - best span score exceeds this
   */
  public record Squad(SquadVersion version, int maxQueryLength, int docStride, int nBestSize, int maxAnswerLength,
      double nullScoreDiffThreshold) {
    public Squad {
      if (version == null) throw new JbertException("data.squad.version is null; expected auto, v1 or v2");
      if (maxQueryLength < 1) {
        throw new JbertException("data.squad.max_query_length is " + maxQueryLength + "; expected >= 1");
      }
      if (docStride < 1) throw new JbertException("data.squad.doc_stride is " + docStride + "; expected >= 1");
      new QaPostConfig(nBestSize, maxAnswerLength, false, nullScoreDiffThreshold); // checks the values
    }

    public static Squad defaults() {
      return new Squad(SquadVersion.AUTO, 64, 128, 20, 30, 0.0);
    }

    /** The feature settings for sequences of {@code maxSeqLength} tokens. */
    public QaFeatureConfig features(int maxSeqLength) {
      return new QaFeatureConfig(maxSeqLength, maxQueryLength, docStride);
    }

    /**
     * The post-processing settings; with {@link SquadVersion#AUTO}, v2.0 when any of {@code examples} is impossible.
     */
    public QaPostConfig post(List<QaExample> examples) {
      boolean v2 = switch (version) {
        case V1 -> false;
        case V2 -> true;
        case AUTO -> examples.stream().anyMatch(QaExample::impossible);
      };
      return new QaPostConfig(nBestSize, maxAnswerLength, v2, nullScoreDiffThreshold);
    }
  }

  public DataFormat {
    if (source == null) {
      throw new JbertException("data.source is null; expected jsonl, tsv, conll, squad or spamassassin");
    }
    if (maxSeqLength < 3) throw new JbertException("data.max_seq_length is " + maxSeqLength + "; expected >= 3");
    if (tsv == null) tsv = Tsv.defaults();
    if (conll == null) conll = Conll.defaults();
    if (squad == null) squad = Squad.defaults();
    if (truncation == null) truncation = Truncation.HEAD;
    truncation.checkFor(maxSeqLength, "data.head_tokens");
  }

  /** The format {@code source} with every other setting at its default (T = 128). */
  public static DataFormat of(Source source) {
    return new DataFormat(source, 128, Tsv.defaults(), Conll.defaults(), Squad.defaults(), Truncation.HEAD);
  }

  /** This format with another T. */
  public DataFormat withMaxSeqLength(int t) {
    return new DataFormat(source, t, tsv, conll, squad, truncation);
  }

  /** This format with another cut of long single texts. */
  public DataFormat withTruncation(Truncation t) {
    return new DataFormat(source, maxSeqLength, tsv, conll, squad, t);
  }

  /**
   * Fails unless this format feeds a head of {@code kind}, with a message naming the source, the head type and the
   * formats that would fit.
   */
  public void requireKind(TaskKind kind, String headType) {
    if (source.kind() == kind) return;
    List<String> fit = java.util.Arrays.stream(Source.values()).filter(s -> s.kind() == kind).map(Source::yamlName)
        .toList();
    throw new JbertException("data.source is " + source.yamlName() + ", which has no data for a " + headType
        + " head (" + kind.description() + "); expected " + String.join(" or ", fit));
  }

  /** The examples of a JSON Lines, SpamAssassin or TSV file, in file order. */
  public List<Example> readExamples(Path file) {
    requireKind(TaskKind.SEQUENCE_CLASSIFICATION, "sequence_classification");
    return source == Source.TSV ? TsvReader.read(file, tsv.columns()) : JsonLinesReader.read(file);
  }

  /** The sentences of a CoNLL file, in file order. */
  public List<TaggedSentence> readSentences(Path file) {
    requireKind(TaskKind.TOKEN_CLASSIFICATION, "token_classification");
    return ConllReader.read(file, conll.tagColumn());
  }

  /** The questions of a SQuAD file, in file order. */
  public List<QaExample> readQuestions(Path file) {
    requireKind(TaskKind.QUESTION_ANSWERING, "question_answering");
    return SquadReader.read(file);
  }
}
