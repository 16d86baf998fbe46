package org.jbert.pretraining.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.jbert.core.JbertException;
import org.jbert.core.tokenize.BertTokenizer;
import org.jbert.core.tokenize.Token;
import org.jbert.core.tokenize.Vocab;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PretrainingDataGeneratorTest {
  static final BertTokenizer BERT = new BertTokenizer(Vocab.bundled("bert-base-uncased"), true);
  static final Vocab VOCAB = BERT.vocab();
  static final PretrainingDataOptions SMALL = PretrainingDataOptions.defaults().withMaxSeqLength(32)
      .withMaxPredictionsPerSeq(5).withDupeFactor(3);

  static final String[] WORDS = ("the of and to in a is that for it as was with be by on not he this are or his from"
      + " at which but have an they you were her she there been one all we their has would when if so no will"
      + " more about can out what said up its into than them only other new some could time these two may first"
      + " then do any like my now over such our man me even most made after also did many before must through"
      + " back years where much your way well down should because each just those people how too little state"
      + " good very make world still own see men work long get here between both life being under never day"
      + " same another know while last might us great old year off come since against go came right used take"
      + " three photosynthesis unbelievably jbertification tokenizers wordpieces misunderstandings preprocessing"
      + " hyperparameters").split(" ");

  @TempDir Path dir;

  /** A synthetic corpus: {@code docs} documents of 1 to 20 sentences of 3 to 25 words, from a seeded Random. */
  static String syntheticCorpus(int docs, long seed) {
    Random r = new Random(seed);
    StringBuilder sb = new StringBuilder();
    for (int d = 0; d < docs; d++) {
      int sentences = 1 + r.nextInt(20);
      for (int s = 0; s < sentences; s++) {
        int words = 3 + r.nextInt(23);
        for (int w = 0; w < words; w++) {
          if (w > 0) sb.append(' ');
          sb.append(WORDS[r.nextInt(WORDS.length)]);
        }
        sb.append(".\n");
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text, StandardCharsets.UTF_8);
    return p;
  }

  static List<TrainingInstance> collect(PretrainingDataOptions options, Path corpus) {
    List<TrainingInstance> out = new ArrayList<>();
    PretrainingDataGenerator.forBert(BERT, options).generate(corpus, out::add);
    return out;
  }

  /** The ids before masking. */
  static int[] original(TrainingInstance inst) {
    int[] ids = inst.inputIds().clone();
    for (int k = 0; k < inst.maskedLmPositions().length; k++) ids[inst.maskedLmPositions()[k]] = inst.maskedLmIds()[k];
    return ids;
  }

  /** Position of the first [SEP] of the unmasked ids, checking the whole [CLS] A [SEP] B [SEP] layout. */
  static int checkLayout(TrainingInstance inst, int maxSeqLength) {
    int[] ids = original(inst);
    int n = ids.length;
    assertTrue(n <= maxSeqLength, "length " + n + " > " + maxSeqLength);
    assertEquals(n, inst.segmentIds().length);
    assertEquals(VOCAB.clsId(), ids[0]);
    assertEquals(VOCAB.sepId(), ids[n - 1]);
    int sep = -1;
    for (int i = 1; i < n - 1; i++) {
      assertTrue(ids[i] != VOCAB.clsId(), "[CLS] inside the sequence");
      if (ids[i] == VOCAB.sepId()) {
        assertEquals(-1, sep, "more than one inner [SEP]");
        sep = i;
      }
    }
    assertTrue(sep >= 2, "A is empty");
    assertTrue(sep <= n - 3, "B is empty");
    for (int i = 0; i < n; i++) assertEquals(i <= sep ? 0 : 1, inst.segmentIds()[i], "segment id at " + i);
    return sep;
  }

  @Test
  void instancesHaveTheLayoutAndFitMaxSeqLength() throws IOException {
    Path corpus = write("c.txt", syntheticCorpus(60, 1));
    for (int maxLen : new int[] {5, 8, 32, 128}) {
      PretrainingDataOptions o = SMALL.withMaxSeqLength(maxLen);
      List<TrainingInstance> all = collect(o, corpus);
      assertFalse(all.isEmpty());
      for (TrainingInstance inst : all) {
        checkLayout(inst, maxLen);
        int m = inst.maskedLmPositions().length;
        assertTrue(m >= 1 && m <= o.maxPredictionsPerSeq(), "predictions " + m);
        assertEquals(PretrainingDataGenerator.forBert(BERT, o).numToPredict(inst.length()), m,
            "predictions for length " + inst.length());
      }
    }
  }

  @Test
  void truncationRemovesFromTheLongerEndAtRandomAndKeepsBothNonEmpty() {
    int fronts = 0;
    int backs = 0;
    Random rng = new Random(7);
    for (int trial = 0; trial < 200; trial++) {
      int la = 1 + rng.nextInt(40);
      int lb = 1 + rng.nextInt(40);
      int max = 2 + rng.nextInt(30);
      PretrainingDataGenerator.Span a = span(0, la);
      PretrainingDataGenerator.Span b = span(1000, lb);
      PretrainingDataGenerator.truncateSeqPair(a, b, max, rng);
      assertTrue(a.size() >= 1 && b.size() >= 1, "a or b empty");
      assertTrue(a.size() + b.size() <= max);
      if (la + lb > max) {
        assertEquals(max, a.size() + b.size(), "removes only what does not fit");
        // the longer (B on ties) is cut first, so the two end at most 1 apart unless one was short already
        int shortA = Math.min(la, lb);
        if (shortA * 2 <= max) assertEquals(Math.min(la, lb), la <= lb ? a.size() : b.size());
      }
      int[] ta = a.toArray();
      for (int k = 1; k < ta.length; k++) assertEquals(ta[k - 1] + 1, ta[k], "a stays contiguous");
      if (ta[0] > 0) fronts++;
      if (ta[ta.length - 1] < la - 1) backs++;
    }
    assertTrue(fronts > 10 && backs > 10, "front " + fronts + " back " + backs);
  }

  @Test
  void truncationCutsBOnATie() {
    for (long seed = 0; seed < 20; seed++) {
      PretrainingDataGenerator.Span a = span(0, 5);
      PretrainingDataGenerator.Span b = span(100, 5);
      PretrainingDataGenerator.truncateSeqPair(a, b, 9, new Random(seed));
      assertEquals(5, a.size());
      assertEquals(4, b.size());
    }
  }

  @Test
  void wholeWordGroupsDoNotCrossSep() {
    // [CLS] play ##ing [SEP] ##ing the [SEP]: L = 7 so num_to_predict = round(1.05) = 1. The two-piece word of A
    // never fits; the ## piece that starts B (a truncation leftover) is a group of its own and can be chosen.
    PretrainingDataGenerator g = PretrainingDataGenerator.forBert(BERT,
        PretrainingDataOptions.defaults().withWholeWordMask(true));
    int play = id("play");
    int ing = id("##ing");
    int the = id("the");
    assertTrue(play > 0 && ing > 0 && the > 0);
    int[] counts = new int[7];
    for (long seed = 0; seed < 200; seed++) {
      int[] tokens = {VOCAB.clsId(), play, ing, VOCAB.sepId(), ing, the, VOCAB.sepId()};
      TrainingInstance inst = g.mask(tokens, new int[] {0, 0, 0, 0, 1, 1, 1}, false, new Random(seed));
      assertEquals(1, inst.maskedLmPositions().length);
      counts[inst.maskedLmPositions()[0]]++;
    }
    assertEquals(0, counts[1] + counts[2], "part of a two-piece word was masked");
    assertTrue(counts[4] > 50 && counts[5] > 50, Arrays.toString(counts));
  }

  private static PretrainingDataGenerator.Span span(int first, int n) {
    PretrainingDataGenerator.Span s = new PretrainingDataGenerator.Span();
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) ids[i] = first + i;
    s.append(ids);
    return s;
  }

  @Test
  void truncationInTheGeneratorKeepsBothSegments() throws IOException {
    // Sentences of 40+ pieces with max_seq_length 16: every pair is truncated.
    StringBuilder sb = new StringBuilder();
    Random r = new Random(3);
    for (int d = 0; d < 20; d++) {
      for (int s = 0; s < 4; s++) {
        for (int w = 0; w < 40; w++) sb.append(WORDS[r.nextInt(WORDS.length)]).append(' ');
        sb.append('\n');
      }
      sb.append('\n');
    }
    List<TrainingInstance> all = collect(SMALL.withMaxSeqLength(16), write("long.txt", sb.toString()));
    for (TrainingInstance inst : all) {
      checkLayout(inst, 16);
      assertEquals(16, inst.length(), "long sentences fill every instance after truncation");
    }
  }

  @Test
  void shortSeqProbProducesShorterTargets() throws IOException {
    Path corpus = write("c.txt", syntheticCorpus(200, 2));
    double never = meanLength(collect(SMALL.withMaxSeqLength(64).withShortSeqProb(0), corpus));
    double always = meanLength(collect(SMALL.withMaxSeqLength(64).withShortSeqProb(1), corpus));
    long shortDefault = countShorterThan(collect(SMALL.withMaxSeqLength(64), corpus), 24);
    List<TrainingInstance> noShort = collect(SMALL.withMaxSeqLength(64).withShortSeqProb(0), corpus);
    long shortNever = countShorterThan(noShort, 24);
    assertTrue(always < 0.75 * never, "mean length with short_seq_prob 1: " + always + ", with 0: " + never);
    assertTrue(shortDefault > shortNever, "instances shorter than 24 with 0.1: " + shortDefault + ", with 0: "
        + shortNever);
  }

  private static double meanLength(List<TrainingInstance> all) {
    return all.stream().mapToInt(TrainingInstance::length).average().orElseThrow();
  }

  private static long countShorterThan(List<TrainingInstance> all, int n) {
    return all.stream().filter(i -> i.length() < n).count();
  }

  @Test
  void unusedSentencesOfARandomNextChunkArePutBack() throws IOException {
    // One document of 40 sentences "n n n" (n = 100..139, each a single piece) among word documents. In every dupe
    // pass each of its sentences must start or continue some A, or be an actual-next B: the sentences of a chunk
    // that did not go into A are put back when B is random, never skipped. The other documents have one-word
    // sentences, so a random B never overshoots its target, and a chunk by at most 2 pieces:
    // truncation then never removes a whole 3-piece sentence.
    StringBuilder doc = new StringBuilder();
    for (int n = 100; n < 140; n++) {
      assertEquals(1, pieces(Integer.toString(n)).size());
      doc.append((n + " ").repeat(3)).append('\n');
    }
    StringBuilder others = new StringBuilder();
    for (int d = 0; d < 20; d++) {
      for (int k = 0; k < 10; k++) others.append(WORDS[(d * 10 + k) % 100]).append('\n');
      others.append('\n');
    }
    Path corpus = write("c.txt", others + doc.toString() + "\n" + others);
    PretrainingDataOptions o = SMALL.withMaxSeqLength(16).withShortSeqProb(0).withDupeFactor(1);
    for (long seed = 1; seed <= 5; seed++) {
      Set<Integer> covered = new HashSet<>();
      int randomFromDoc = 0;
      for (TrainingInstance inst : collect(o.withSeed(seed), corpus)) {
        int sep = checkLayout(inst, 16);
        int[] ids = original(inst);
        if (!VOCAB.token(ids[1]).matches("1[0-3][0-9]")) continue;
        for (int i = 1; i < sep; i++) covered.add(Integer.parseInt(VOCAB.token(ids[i])));
        if (inst.randomNext()) {
          randomFromDoc++;
        } else {
          for (int i = sep + 1; i < ids.length - 1; i++) covered.add(Integer.parseInt(VOCAB.token(ids[i])));
        }
      }
      assertTrue(randomFromDoc > 2, "random-next instances from the document: " + randomFromDoc);
      assertEquals(40, covered.size(), "seed " + seed + ": sentences used " + covered);
    }
  }

  @Test
  void sameSeedGivesIdenticalBytesAndAnotherSeedDiffers() throws IOException {
    Path corpus = write("c.txt", syntheticCorpus(80, 4));
    PretrainingDataGenerator g1 = PretrainingDataGenerator.forBert(BERT, SMALL);
    PretrainingDataGenerator g2 = PretrainingDataGenerator.forBert(BERT, SMALL);
    PretrainingDataGenerator g3 = PretrainingDataGenerator.forBert(BERT, SMALL.withSeed(54321));
    g1.writeJsonLines(corpus, dir.resolve("a.jsonl"));
    g2.writeJsonLines(corpus, dir.resolve("b.jsonl"));
    g3.writeJsonLines(corpus, dir.resolve("c.jsonl"));
    byte[] a = Files.readAllBytes(dir.resolve("a.jsonl"));
    assertTrue(a.length > 10_000);
    assertArrayEquals(a, Files.readAllBytes(dir.resolve("b.jsonl")));
    assertFalse(Arrays.equals(a, Files.readAllBytes(dir.resolve("c.jsonl"))));
  }

  @Test
  void jsonLinesHaveExactlyTheFeaturesPadded() throws IOException {
    Path corpus = write("c.txt", syntheticCorpus(30, 5));
    Path out = dir.resolve("sub/out.jsonl");
    PretrainingDataGenerator g = PretrainingDataGenerator.forBert(BERT, SMALL);
    List<TrainingInstance> expected = new ArrayList<>();
    g.generate(corpus, expected::add);
    PretrainingDataStats stats = g.writeJsonLines(corpus, out);
    List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
    assertEquals(expected.size(), lines.size());
    assertEquals(stats.instances(), lines.size());
    ObjectMapper json = new ObjectMapper();
    for (int li = 0; li < lines.size(); li++) {
      JsonNode n = json.readTree(lines.get(li));
      TrainingInstance inst = expected.get(li);
      List<String> names = new ArrayList<>();
      n.fieldNames().forEachRemaining(names::add);
      assertEquals(List.of("input_ids", "input_mask", "segment_ids", "masked_lm_positions", "masked_lm_ids",
          "masked_lm_weights", "next_sentence_label"), names);
      int len = inst.length();
      int m = inst.maskedLmPositions().length;
      for (int i = 0; i < 32; i++) {
        assertEquals(i < len ? inst.inputIds()[i] : 0, n.get("input_ids").get(i).asInt());
        assertEquals(i < len ? 1 : 0, n.get("input_mask").get(i).asInt());
        assertEquals(i < len ? inst.segmentIds()[i] : 0, n.get("segment_ids").get(i).asInt());
      }
      assertEquals(32, n.get("input_ids").size());
      assertEquals(32, n.get("input_mask").size());
      assertEquals(32, n.get("segment_ids").size());
      for (String f : List.of("masked_lm_positions", "masked_lm_ids", "masked_lm_weights")) {
        assertEquals(5, n.get(f).size(), f);
      }
      for (int k = 0; k < 5; k++) {
        assertEquals(k < m ? inst.maskedLmPositions()[k] : 0, n.get("masked_lm_positions").get(k).asInt());
        assertEquals(k < m ? inst.maskedLmIds()[k] : 0, n.get("masked_lm_ids").get(k).asInt());
        assertTrue(n.get("masked_lm_weights").get(k).isDouble());
        assertEquals(k < m ? 1.0 : 0.0, n.get("masked_lm_weights").get(k).asDouble());
      }
      assertEquals(inst.randomNext() ? 1 : 0, n.get("next_sentence_label").asInt());
    }
    try (var files = Files.list(out.getParent())) {
      assertEquals(List.of(out), files.toList(), "no temp file left beside the output");
    }
  }

  @Test
  void wholeWordMaskingNeverMasksPartOfAWord() throws IOException {
    Path corpus = write("c.txt", syntheticCorpus(150, 6));
    PretrainingDataOptions o = SMALL.withMaxSeqLength(64).withMaxPredictionsPerSeq(10);
    int[] partial = new int[2];
    int[] wholeMultiPiece = new int[2];
    for (int mode = 0; mode < 2; mode++) {
      boolean wwm = mode == 1;
      for (TrainingInstance inst : collect(o.withWholeWordMask(wwm), corpus)) {
        int[] ids = original(inst);
        Set<Integer> masked = new HashSet<>();
        for (int p : inst.maskedLmPositions()) masked.add(p);
        int i = 0;
        while (i < ids.length) {
          if (ids[i] == VOCAB.clsId() || ids[i] == VOCAB.sepId()) {
            i++;
            continue;
          }
          int end = i + 1;
          while (end < ids.length && VOCAB.isContinuation(ids[end])) end++;
          int inWord = 0;
          for (int k = i; k < end; k++) if (masked.contains(k)) inWord++;
          if (inWord > 0 && inWord < end - i) partial[mode]++;
          if (inWord == end - i && end - i > 1) wholeMultiPiece[mode]++;
          i = end;
        }
      }
    }
    assertTrue(partial[0] > 0, "without whole-word masking some words are partly masked (the corpus has them)");
    assertEquals(0, partial[1], "whole-word masking masked part of a word");
    assertTrue(wholeMultiPiece[1] > 20, "multi-piece words masked whole: " + wholeMultiPiece[1]);
  }

  @Test
  void oneSentenceDocumentGetsARandomBFromAnotherDocument() throws IOException {
    String lone = "photosynthesis is unbelievably good .";
    Path corpus = write("c.txt", syntheticCorpus(5, 8) + lone + "\n\n" + syntheticCorpus(5, 9));
    int[] loneIds = VOCAB_ids(lone);
    List<TrainingInstance> fromLone = new ArrayList<>();
    for (TrainingInstance inst : collect(SMALL, corpus)) {
      int sep = checkLayout(inst, 32);
      int[] a = Arrays.copyOfRange(original(inst), 1, sep);
      if (Arrays.equals(a, loneIds)) fromLone.add(inst);
    }
    assertEquals(SMALL.dupeFactor(), fromLone.size(), "one instance per dupe pass");
    for (TrainingInstance inst : fromLone) {
      assertTrue(inst.randomNext(), "a one-sentence document always has a random B (label 1)");
      int sep = checkLayout(inst, 32);
      int[] b = Arrays.copyOfRange(original(inst), sep + 1, inst.length() - 1);
      assertFalse(Arrays.equals(b, loneIds), "B comes from another document");
    }
  }

  @Test
  void aCorpusOfOneSentenceUsesThatSentenceAsB() throws IOException {
    // As in the original: with a single document, the 10 draws for another document all fail and B is drawn from
    // the same document.
    Path corpus = write("one.txt", "\n  \nthe cat sat on the mat .\n\n\n");
    List<TrainingInstance> all = collect(SMALL, corpus);
    assertEquals(SMALL.dupeFactor(), all.size());
    int[] ids = VOCAB_ids("the cat sat on the mat .");
    for (TrainingInstance inst : all) {
      int sep = checkLayout(inst, 32);
      assertTrue(inst.randomNext());
      assertArrayEquals(ids, Arrays.copyOfRange(original(inst), 1, sep));
      assertArrayEquals(ids, Arrays.copyOfRange(original(inst), sep + 1, inst.length() - 1));
    }
  }

  static List<String> pieces(String text) {
    return BERT.tokenize(text).stream().map(Token::text).toList();
  }

  private static int[] VOCAB_ids(String text) {
    return pieces(text).stream().mapToInt(PretrainingDataGeneratorTest::id).toArray();
  }

  /** The id of {@code piece} in {@link #VOCAB}, or -1 when it is not there. */
  private static int id(String piece) {
    return VOCAB.id(piece).orElse(-1);
  }

  @Test
  void randomBComesFromTheSameShard() throws IOException {
    // Document k (1..7) is made of the number k only, so every piece tells its document.
    StringBuilder sb = new StringBuilder();
    for (int k = 1; k <= 7; k++) {
      for (int s = 0; s < 6; s++) sb.append((k + " ").repeat(5)).append('\n');
      sb.append('\n');
    }
    Path corpus = write("shards.txt", sb.toString());
    PretrainingDataOptions o = SMALL.withShardDocuments(2).withShortSeqProb(0.5).withMaxSeqLength(16);
    List<TrainingInstance> all = new ArrayList<>();
    PretrainingDataStats stats = PretrainingDataGenerator.forBert(BERT, o).generate(corpus, all::add);
    // 2 + 1.5 buffered: shards {1,2} {3,4} {5,6} {7}
    assertEquals(4, stats.shards());
    assertEquals(7, stats.documents());
    assertEquals(42, stats.sentences());
    int lastShard = 0;
    int randomNext = 0;
    for (TrainingInstance inst : all) {
      int sep = checkLayout(inst, 16);
      int[] ids = original(inst);
      int docA = Integer.parseInt(VOCAB.token(ids[1]));
      int docB = Integer.parseInt(VOCAB.token(ids[sep + 1]));
      int shardA = (docA + 1) / 2;
      assertEquals(shardA, (docB + 1) / 2, "A from document " + docA + " but B from document " + docB);
      assertTrue(shardA >= lastShard, "shards are emitted in order");
      lastShard = shardA;
      if (inst.randomNext()) randomNext++;
      if (inst.randomNext() && docA != 7) assertTrue(docA != docB, "random B from the other document");
      if (!inst.randomNext()) assertEquals(docA, docB);
    }
    assertTrue(randomNext > 0);
  }

  @Test
  void instancesAreStreamedBeforeTheCorpusIsReadToTheEnd() {
    byte[] text = syntheticCorpus(3000, 10).getBytes(StandardCharsets.UTF_8);
    AtomicLong read = new AtomicLong();
    InputStream counting = new FilterInputStream(new ByteArrayInputStream(text)) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) read.addAndGet(n);
        return n;
      }
    };
    long[] readAtFirst = {-1};
    PretrainingDataOptions o = SMALL.withShardDocuments(100).withDupeFactor(1);
    PretrainingDataStats stats = PretrainingDataGenerator.forBert(BERT, o).generate("memory", counting,
        inst -> {
          if (readAtFirst[0] < 0) readAtFirst[0] = read.get();
        });
    assertTrue(readAtFirst[0] > 0 && readAtFirst[0] < text.length / 4,
        "first instance after " + readAtFirst[0] + " of " + text.length + " bytes");
    assertEquals(3000, stats.documents());
    assertEquals(30, stats.shards(), "3000 documents: a shard of 100 at every 150 buffered, the last 100 at the end");
  }

  @Test
  void aPieceTokenizerFunctionGivesTheSameOutputAsTheBertWiring() throws IOException {
    Path corpus = write("c.txt", syntheticCorpus(40, 13));
    PretrainingDataGenerator.forBert(BERT, SMALL).writeJsonLines(corpus, dir.resolve("a.jsonl"));
    new PretrainingDataGenerator(PretrainingDataGeneratorTest::pieces, VOCAB, SMALL)
        .writeJsonLines(corpus, dir.resolve("b.jsonl"));
    assertArrayEquals(Files.readAllBytes(dir.resolve("a.jsonl")), Files.readAllBytes(dir.resolve("b.jsonl")));
  }

  @Test
  void specialTokensWrittenInTheTextAreDropped() throws IOException {
    Path corpus = write("c.txt", "the [SEP] cat [MASK] sat [CLS] .\n[PAD]\n[SEP] [CLS]\n\nthe dog sat .\n");
    List<TrainingInstance> all = collect(SMALL, corpus);
    assertEquals(2 * SMALL.dupeFactor(), all.size(), "two documents of one sentence each");
    int[] expected = VOCAB_ids("the cat sat .");
    boolean seen = false;
    for (TrainingInstance inst : all) {
      int sep = checkLayout(inst, 32);
      if (Arrays.equals(expected, Arrays.copyOfRange(original(inst), 1, sep))) seen = true;
    }
    assertTrue(seen);
  }

  // ---- bad input ----

  @Test
  void missingFileIsAnErrorNamingIt() {
    Path missing = dir.resolve("nope.txt");
    JbertException e = assertThrows(JbertException.class, () -> collect(SMALL, missing));
    assertEquals(missing + ": corpus file not found", e.getMessage());
  }

  @Test
  void emptyCorpusIsAnError() throws IOException {
    for (String text : new String[] {"", "\n\n   \n\t\n", "\u0000\u0001\n\n"}) {
      Path p = write("empty.txt", text);
      JbertException e = assertThrows(JbertException.class, () -> collect(SMALL, p));
      assertTrue(e.getMessage().startsWith(p + ": no sentences in the corpus"), e.getMessage());
      assertFalse(e.getMessage().contains("\n"));
    }
  }

  @Test
  void aByteOrderMarkAtTheStartIsDropped() throws IOException {
    Path plain = write("plain.txt", "the cat sat .\nthe dog sat .\n\nthe cat ran .\nthe dog ran .\n");
    Path bom = write("bom.txt", "\uFEFFthe cat sat .\nthe dog sat .\n\nthe cat ran .\nthe dog ran .\n");
    List<TrainingInstance> a = collect(SMALL, plain);
    List<TrainingInstance> b = collect(SMALL, bom);
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i).inputIds(), b.get(i).inputIds());
  }

  @Test
  void nonUtf8IsAnErrorNamingFileAndLine() throws IOException {
    Path p = dir.resolve("latin1.txt");
    byte[] good = "the cat sat .\nthe dog sat .\n".getBytes(StandardCharsets.UTF_8);
    byte[] bad = "caf\u00e9 noir .\n".getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = Arrays.copyOf(good, good.length + bad.length);
    System.arraycopy(bad, 0, all, good.length, bad.length);
    Files.write(p, all);
    JbertException e = assertThrows(JbertException.class, () -> collect(SMALL, p));
    assertEquals(p + ":3: not valid UTF-8 (bad byte sequence); expected UTF-8 text", e.getMessage());
  }

  @Test
  void tokenizerAndVocabularyMismatchIsAnError() throws IOException {
    Path p = write("c.txt", "the cat\n");
    PretrainingDataGenerator g = new PretrainingDataGenerator(t -> List.of("the", "zebra-piece"), VOCAB, SMALL);
    JbertException e = assertThrows(JbertException.class, () -> g.generate(p, i -> {}));
    assertTrue(e.getMessage().startsWith(p + ":1: the tokenizer produced \"zebra-piece\""), e.getMessage());
  }

  @Test
  void vocabularyCasingMustAgreeWithTheTokenizer() {
    JbertException e = assertThrows(JbertException.class, () -> PretrainingDataGenerator.forBert(
        new BertTokenizer(Vocab.bundled("bert-base-cased"), true), SMALL));
    assertTrue(e.getMessage().contains("is cased but the tokenizer lower-cases"), e.getMessage());
    e = assertThrows(JbertException.class, () -> PretrainingDataGenerator.forBert(
        new BertTokenizer(Vocab.bundled("bert-base-uncased"), false), SMALL));
    assertTrue(e.getMessage().contains("is uncased but the tokenizer keeps case"), e.getMessage());
  }

  @Test
  void badOptionsAreErrorsNamingTheOption() {
    PretrainingDataOptions d = PretrainingDataOptions.defaults();
    assertBad("max-predictions-per-seq 0", () -> d.withMaxPredictionsPerSeq(0));
    assertBad("max-predictions-per-seq -3", () -> d.withMaxPredictionsPerSeq(-3));
    for (double p : new double[] {0, 1, -0.1, 1.5, Double.NaN}) {
      assertBad("masked-lm-prob " + p, () -> d.withMaskedLmProb(p));
    }
    assertBad("max-seq-length 4", () -> d.withMaxSeqLength(4));
    assertBad("dupe-factor 0", () -> d.withDupeFactor(0));
    assertBad("short-seq-prob -0.1", () -> d.withShortSeqProb(-0.1));
    assertBad("short-seq-prob 1.1", () -> d.withShortSeqProb(1.1));
    assertBad("shard-documents 0", () -> d.withShardDocuments(0));
    assertNotNull(d.withShortSeqProb(0).withShortSeqProb(1).withMaxSeqLength(5).withMaxPredictionsPerSeq(1));
  }

  @Test
  void defaultsAreTheOriginals() {
    assertEquals(new PretrainingDataOptions(128, 20, 0.15, 10, 0.1, false, 12345L, 10_000),
        PretrainingDataOptions.defaults());
  }

  @Test
  void numToPredictRoundsHalfToEvenAndIsCapped() {
    PretrainingDataGenerator g = PretrainingDataGenerator.forBert(BERT, PretrainingDataOptions.defaults());
    assertEquals(1, g.numToPredict(5)); // 0.75 -> 1
    assertEquals(1, g.numToPredict(3)); // 0.45 -> 0 -> at least 1
    assertEquals(2, g.numToPredict(10)); // 1.5 (1.5000000000000002 in binary) -> 2
    assertEquals(19, g.numToPredict(128)); // 19.2
    assertEquals(20, g.numToPredict(512)); // 76.8, capped at 20
  }

  @Test
  void vocabularyWithoutSpecialTokensIsAnError() throws IOException {
    Path file = dir.resolve("no-mask-vocab.txt");
    Files.writeString(file, "[UNK]\n[CLS]\n[SEP]\na\n");
    Vocab noMask = Vocab.load(file);
    JbertException e = assertThrows(JbertException.class,
        () -> new PretrainingDataGenerator(PretrainingDataGeneratorTest::pieces, noMask, SMALL));
    assertTrue(e.getMessage().contains("[MASK]"), e.getMessage());
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    JbertException viaForBert = assertThrows(JbertException.class,
        () -> PretrainingDataGenerator.forBert(new BertTokenizer(noMask, true), SMALL));
    assertTrue(viaForBert.getMessage().contains("[MASK]"), viaForBert.getMessage());
  }

  private static void assertBad(String expectedStart, org.junit.jupiter.api.function.Executable body) {
    JbertException e = assertThrows(JbertException.class, body);
    assertTrue(e.getMessage().startsWith(expectedStart), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
  }

  @SuppressWarnings("unused")
  private static <T> int count(Iterator<T> it) {
    int n = 0;
    while (it.hasNext()) {
      it.next();
      n++;
    }
    return n;
  }
}
