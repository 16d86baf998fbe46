package org.jbert.pretraining.data;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jbert.core.JbertException;
import org.jbert.core.io.Utf8Lines;
import org.jbert.core.tokenize.BertTokenizer;
import org.jbert.core.tokenize.Vocab;

/**
 * Masked-LM / next-sentence pretraining instances from a plain-text corpus, with the semantics of Google's
 * {@code create_pretraining_data.py}.
 *
 * <p><b>Input.</b> UTF-8 text, one sentence per line, a blank line between documents. Lines are stripped of
 * surrounding whitespace; a line whose word-piece list is empty is dropped, and so is a document without sentences.
 * Special tokens written literally in the text that the tokenizer keeps whole ([CLS], [SEP], [MASK], [PAD]; jbert's
 * tokenizer does, as Hugging Face's) are dropped from the sentence, since they would corrupt the
 * {@code [CLS] A [SEP] B [SEP]} layout and the labels (Google's tokenizer splits them into {@code [ sep ]} pieces
 * instead).
 *
 * <p><b>Segments.</b> For each document, sentences are gathered into a chunk until the chunk reaches a target length
 * (max_seq_length - 3, or with probability short_seq_prob a random length in [2, max_seq_length - 3]) or the
 * document ends (the target is drawn once per document and pass, as in the original). A random number of the
 * chunk's first sentences (at least one) becomes A. With probability 1/2, and always when the chunk is a single
 * sentence, B is a random run of sentences, starting at a random sentence, from a
 * random other document (up to 10 draws to find another document; with a single document in the shard, B comes from
 * the same document, as in the original), filled up to the remaining target length; the chunk's sentences that did
 * not go into A are then "put back" and start the next chunk. Otherwise B is the rest of the chunk. The pair is
 * truncated to max_seq_length - 3 pieces by repeatedly removing one piece from the longer of the two (B when they
 * are equal), from its front or back with equal probability; both stay non-empty.
 *
 * <p>So a one-sentence document yields exactly one instance per dupe pass, always with a random B (label 1), exactly
 * as in the original.
 *
 * <p><b>Masking</b> follows the original too ({@link MlmMasker}).
 *
 * <p><b>Deviations from the original, for bounded memory and streaming.</b> The original reads the whole corpus,
 * shuffles all documents, draws random B segments from all of them, and shuffles all instances of all dupe passes
 * before writing. Here the corpus is read in shards of about {@link PretrainingDataOptions#shardDocuments()}
 * documents (a shard is processed when 1.5 times that many documents are buffered, taking the first
 * shardDocuments; the last shard takes the rest, so every shard has at least shardDocuments / 2 documents unless the
 * whole corpus is smaller); documents are shuffled within the shard, random B segments come from the shard, and the
 * instances of each dupe pass over a shard are shuffled and then emitted. Memory holds the word pieces of at most
 * 1.5 shardDocuments documents plus one pass's instances (measured: a 100 MB corpus of 30k documents runs in a
 * 128 MB heap with shards of 2000).
 * One further difference, in whole-word masking: a {@code ##} piece right after [SEP] (left over from front
 * truncation) starts its own group instead of joining the last word of A.
 *
 * <p>Random numbers come from one {@link Random} seeded with {@link PretrainingDataOptions#seed()}, so the same
 * corpus, tokenizer, vocabulary and options give identical instances (not the same ones as the Python script, whose
 * generator differs).
 */
public final class PretrainingDataGenerator {
  /** Text to ids; {@code reader} locates the line for error messages. */
  private interface Encoder {
    int[] encode(String text, Utf8Lines reader);
  }

  private final Encoder encoder;
  private final Vocab vocab;
  private final PretrainingDataOptions options;
  /** [CLS], [SEP], [MASK] and [PAD] (-1 when the vocabulary has no [PAD]): ids that must not come from corpus text. */
  private final int[] structural;
  private final MlmMasker masker;

  /**
   * @param tokenizer text to word pieces (for example {@code BertTokenizer.tokenize} mapped to the token texts);
   *     every piece must be in {@code vocab}
   * @param vocab the vocabulary the ids refer to; must contain [MASK]
   * @param options validated options
   * @throws JbertException if {@code vocab} has no [MASK] token
   */
  public PretrainingDataGenerator(
      Function<String, List<String>> tokenizer, Vocab vocab, PretrainingDataOptions options) {
    this(encoder(tokenizer, vocab), vocab, options);
  }

  private PretrainingDataGenerator(Encoder encoder, Vocab vocab, PretrainingDataOptions options) {
    if (encoder == null || vocab == null || options == null) {
      throw new IllegalArgumentException("tokenizer, vocab and options are required");
    }
    if (vocab.maskId() < 0) {
      throw new JbertException("vocabulary " + vocab.source() + " has no " + Vocab.MASK + " token; expected a BERT"
          + " vocabulary with " + Vocab.CLS + ", " + Vocab.SEP + " and " + Vocab.MASK + " to make pretraining data");
    }
    this.encoder = encoder;
    this.vocab = vocab;
    this.options = options;
    this.structural = new int[] {vocab.clsId(), vocab.sepId(), vocab.maskId(), vocab.id(Vocab.PAD).orElse(-1)};
    this.masker = new MlmMasker(vocab, options);
  }

  private static Encoder encoder(Function<String, List<String>> tokenizer, Vocab vocab) {
    if (tokenizer == null || vocab == null) return null;
    return (text, reader) -> toIds(tokenizer.apply(text), vocab, reader);
  }

  /**
   * A generator over jbert's BERT tokenizer and its vocabulary.
   *
   * @throws JbertException if the tokenizer's vocabulary has no [MASK] token, or its casing disagrees with the
   *     tokenizer's (a cased vocabulary with lower-casing, or an uncased one without it: half the pieces would never
   *     match)
   */
  public static PretrainingDataGenerator forBert(BertTokenizer tokenizer, PretrainingDataOptions options) {
    if (tokenizer == null || options == null) throw new IllegalArgumentException("tokenizer and options are required");
    boolean casedVocab = tokenizer.vocab().isCased();
    if (casedVocab == tokenizer.lowerCase()) {
      throw new JbertException("vocabulary " + tokenizer.vocab().source() + " is " + (casedVocab ? "cased" : "uncased")
          + " but the tokenizer " + (tokenizer.lowerCase() ? "lower-cases" : "keeps case") + "; expected "
          + (casedVocab ? "--cased with a cased vocabulary" : "no --cased with an uncased vocabulary"));
    }
    return new PretrainingDataGenerator((text, reader) -> tokenizer.ids(text), tokenizer.vocab(), options);
  }

  public PretrainingDataOptions options() {
    return options;
  }

  public Vocab vocab() {
    return vocab;
  }

  /** Streams the instances of {@code corpus} to {@code sink} as they are produced. */
  public PretrainingDataStats generate(Path corpus, Consumer<TrainingInstance> sink) {
    try (Utf8Lines reader = Utf8Lines.open(corpus, "corpus file")) {
      return generate(reader, sink);
    }
  }

  /** Streams the instances of a corpus read from {@code in} (named {@code source} in messages) to {@code sink}. */
  public PretrainingDataStats generate(String source, InputStream in, Consumer<TrainingInstance> sink) {
    try (Utf8Lines reader = Utf8Lines.of(source, in)) {
      return generate(reader, sink);
    }
  }

  /** Writes the instances of {@code corpus} as JSON Lines to {@code output}, atomically ({@link InstanceWriter}). */
  public PretrainingDataStats writeJsonLines(Path corpus, Path output) {
    return InstanceWriter.write(output, options, sink -> generate(corpus, sink));
  }

  private PretrainingDataStats generate(Utf8Lines reader, Consumer<TrainingInstance> sink) {
    Random rng = new Random(options.seed());
    Counter count = new Counter();
    int shardSize = options.shardDocuments();
    int highWater = shardSize + shardSize / 2;
    List<int[][]> buffered = new ArrayList<>();
    List<int[]> document = new ArrayList<>();
    for (String line = reader.next(); ; line = reader.next()) {
      String text = line == null ? "" : line.strip();
      if (text.isEmpty()) {
        if (!document.isEmpty()) {
          buffered.add(document.toArray(new int[0][]));
          count.documents++;
          document.clear();
          if (buffered.size() >= highWater) {
            List<int[][]> shard = new ArrayList<>(buffered.subList(0, shardSize));
            buffered = new ArrayList<>(buffered.subList(shardSize, buffered.size()));
            processShard(shard, rng, sink, count);
          }
        }
        if (line == null) break;
        continue;
      }
      int[] ids = withoutStructural(encoder.encode(text, reader));
      if (ids.length > 0) {
        document.add(ids);
        count.sentences++;
      }
    }
    if (count.documents == 0) {
      throw new JbertException(reader.source() + ": no sentences in the corpus (" + reader.number()
          + " lines); expected UTF-8 text with one sentence per line and blank lines between documents");
    }
    if (!buffered.isEmpty()) processShard(buffered, rng, sink, count);
    return new PretrainingDataStats(count.documents, count.sentences, count.shards, count.instances, count.tokens,
        count.masked, count.randomNext, count.forcedRandomNext);
  }

  private static int[] toIds(List<String> pieces, Vocab vocab, Utf8Lines reader) {
    int[] ids = new int[pieces.size()];
    for (int i = 0; i < ids.length; i++) {
      OptionalInt id = vocab.id(pieces.get(i));
      if (id.isEmpty()) {
        throw new JbertException(reader.source() + ":" + reader.number() + ": the tokenizer produced \""
            + pieces.get(i) + "\", which is not in the vocabulary; expected tokenizer and vocabulary to match");
      }
      ids[i] = id.getAsInt();
    }
    return ids;
  }

  /** Drops [CLS], [SEP], [MASK] and [PAD] that a tokenizer kept whole from the text (they would break the layout). */
  private int[] withoutStructural(int[] ids) {
    int n = 0;
    for (int id : ids) if (!isStructural(id)) n++;
    if (n == ids.length) return ids;
    int[] out = new int[n];
    int k = 0;
    for (int id : ids) if (!isStructural(id)) out[k++] = id;
    return out;
  }

  private boolean isStructural(int id) {
    for (int s : structural) if (id == s) return true;
    return false;
  }

  private void processShard(List<int[][]> shard, Random rng, Consumer<TrainingInstance> sink, Counter count) {
    count.shards++;
    shuffle(shard, rng);
    List<TrainingInstance> pass = new ArrayList<>();
    for (int dupe = 0; dupe < options.dupeFactor(); dupe++) {
      pass.clear();
      for (int d = 0; d < shard.size(); d++) {
        count.forcedRandomNext += createInstancesFromDocument(shard, d, rng, pass::add);
      }
      shuffle(pass, rng);
      for (TrainingInstance inst : pass) {
        count.instances++;
        count.tokens += inst.length();
        count.masked += inst.maskedLmPositions().length;
        if (inst.randomNext()) count.randomNext++;
        sink.accept(inst);
      }
    }
  }

  /**
   * The instances of document {@code docIndex} of {@code docs} (each document an array of sentences of ids); returns
   * how many of them had a one-sentence chunk and so a random B without a coin flip.
   */
  int createInstancesFromDocument(List<int[][]> docs, int docIndex, Random rng, Consumer<TrainingInstance> out) {
    int[][] doc = docs.get(docIndex);
    int maxNumTokens = options.maxSeqLength() - 3;
    int target = maxNumTokens;
    if (rng.nextDouble() < options.shortSeqProb()) target = randInt(rng, 2, maxNumTokens);

    List<int[]> chunk = new ArrayList<>();
    int chunkLength = 0;
    int forced = 0;
    int i = 0;
    while (i < doc.length) {
      chunk.add(doc[i]);
      chunkLength += doc[i].length;
      if (i == doc.length - 1 || chunkLength >= target) {
        int aEnd = chunk.size() >= 2 ? randInt(rng, 1, chunk.size() - 1) : 1;
        Span a = new Span();
        for (int j = 0; j < aEnd; j++) a.append(chunk.get(j));
        Span b = new Span();
        boolean randomNext;
        if (chunk.size() == 1 || rng.nextDouble() < 0.5) {
          randomNext = true;
          if (chunk.size() == 1) forced++;
          int targetB = target - a.size();
          int r = docIndex;
          for (int k = 0; k < 10; k++) {
            r = randInt(rng, 0, docs.size() - 1);
            if (r != docIndex) break;
          }
          int[][] other = docs.get(r);
          int start = randInt(rng, 0, other.length - 1);
          for (int j = start; j < other.length; j++) {
            b.append(other[j]);
            if (b.size() >= targetB) break;
          }
          i -= chunk.size() - aEnd;
        } else {
          randomNext = false;
          for (int j = aEnd; j < chunk.size(); j++) b.append(chunk.get(j));
        }
        truncateSeqPair(a, b, maxNumTokens, rng);
        out.accept(buildInstance(a, b, randomNext, rng));
        chunk.clear();
        chunkLength = 0;
      }
      i++;
    }
    return forced;
  }

  /** Removes pieces from the longer of a and b (b on a tie), front or back at random, until a + b fit. */
  static void truncateSeqPair(Span a, Span b, int maxNumTokens, Random rng) {
    while (a.size() + b.size() > maxNumTokens) {
      Span longer = a.size() > b.size() ? a : b;
      if (rng.nextDouble() < 0.5) {
        longer.lo++;
      } else {
        longer.hi--;
      }
    }
  }

  private TrainingInstance buildInstance(Span a, Span b, boolean randomNext, Random rng) {
    int n = a.size() + b.size() + 3;
    int[] tokens = new int[n];
    int[] segments = new int[n];
    int p = 0;
    tokens[p++] = vocab.clsId();
    for (int k = a.lo; k < a.hi; k++) tokens[p++] = a.ids[k];
    tokens[p++] = vocab.sepId();
    for (int k = b.lo; k < b.hi; k++) {
      segments[p] = 1;
      tokens[p++] = b.ids[k];
    }
    segments[p] = 1;
    tokens[p] = vocab.sepId();
    return mask(tokens, segments, randomNext, rng);
  }

  /** Chooses and applies the masked-LM predictions of {@code tokens} (modified in place); see {@link MlmMasker}. */
  TrainingInstance mask(int[] tokens, int[] segments, boolean randomNext, Random rng) {
    return masker.mask(tokens, segments, randomNext, rng);
  }

  /** See {@link MlmMasker#numToPredict}. */
  int numToPredict(int length) {
    return masker.numToPredict(length);
  }

  /** Uniform in [lo, hi], both inclusive (Python's randint). */
  private static int randInt(Random rng, int lo, int hi) {
    return lo + rng.nextInt(hi - lo + 1);
  }

  private static <T> void shuffle(List<T> list, Random rng) {
    for (int i = list.size() - 1; i > 0; i--) {
      int k = rng.nextInt(i + 1);
      T tmp = list.get(i);
      list.set(i, list.get(k));
      list.set(k, tmp);
    }
  }

  /** A growable id list from which pieces are removed at either end. */
  static final class Span {
    int[] ids = new int[16];
    int lo;
    int hi;

    int size() {
      return hi - lo;
    }

    void append(int[] more) {
      if (hi + more.length > ids.length) ids = Arrays.copyOf(ids, Math.max(ids.length * 2, hi + more.length));
      System.arraycopy(more, 0, ids, hi, more.length);
      hi += more.length;
    }

    int[] toArray() {
      return Arrays.copyOfRange(ids, lo, hi);
    }
  }

  private static final class Counter {
    long documents;
    long sentences;
    long shards;
    long instances;
    long tokens;
    long masked;
    long randomNext;
    long forcedRandomNext;
  }
}
