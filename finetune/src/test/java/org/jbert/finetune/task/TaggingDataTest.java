package org.jbert.finetune.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.jbert.core.JbertException;
import org.jbert.core.config.Activation;
import org.jbert.core.config.BertConfig;
import org.jbert.core.tokenize.BertTokenizer;
import org.jbert.core.tokenize.Vocab;
import org.jbert.finetune.Batch;
import org.jbert.finetune.data.LabelMap;
import org.jbert.finetune.data.TaggedSentence;
import org.junit.jupiter.api.Test;

/** Word-to-piece label alignment, checked by hand on one sentence. */
class TaggingDataTest {
  // ids: 0 [PAD], 1 [UNK], 2 [CLS], 3 [SEP], 4 [MASK], 5 Anna, 6 lives, 7 in, 8 Z, 9 ##ü, 10 ##rich, 11 .
  static final List<String> VOCAB = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "Anna", "lives", "in", "Z",
      "##ü", "##rich", ".");
  static final BertConfig CONFIG = new BertConfig(VOCAB.size(), 8, 1, 2, 16, Activation.GELU_TANH, 0, 0, 16, 2, 0.02,
      1e-12);
  static final TaggedSentence SENTENCE = new TaggedSentence("s.conll", 3, List.of("Anna", "lives", "in", "Zürich", "."),
      List.of("B-PER", "O", "O", "B-LOC", "O"));
  // B-LOC 0, B-PER 1, O 2 (LabelMap's string order)
  static final LabelMap TAGS = LabelMap.fromSentences("s.conll", List.of(SENTENCE));

  static TextInputs inputs(int t) {
    Vocab v = Vocab.load(writeVocab());
    return new TextInputs(CONFIG, Optional.of(new BertTokenizer(v, false)), t, "tiny", null);
  }

  static Path writeVocab() {
    try {
      Path f = java.nio.file.Files.createTempFile("vocab", ".txt");
      java.nio.file.Files.write(f, VOCAB);
      f.toFile().deleteOnExit();
      return f;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void eachWordsTagSitsOnItsFirstPiece() {
    assertEquals(List.of("B-LOC", "B-PER", "O"), TAGS.labels());
    TaggingData d = TaggingData.of("s.conll", List.of(SENTENCE), TAGS, inputs(16));
    // [CLS] Anna lives in Z ##ü ##rich . [SEP]
    assertArrayEquals(new int[] {2, 5, 6, 7, 8, 9, 10, 11, 3}, d.inputIds(0));
    assertArrayEquals(new int[] {-100, 1, 2, 2, 0, -100, -100, 2, -100}, d.labelIds(0));
    assertArrayEquals(new int[] {1, 2, 3, 4, 7}, d.firstPieces(0));
  }

  @Test
  void batchesPadLabelsWithIgnoreAndMaskPadding() {
    TaggedSentence short1 = new TaggedSentence("s.conll", 10, List.of("Anna"), List.of("B-PER"));
    TaggingData d = TaggingData.of("s.conll", List.of(SENTENCE, short1), TAGS, inputs(16));
    try (Batch b = d.batch(new int[] {1, 0})) {
      assertArrayEquals(new int[] {2, 5, 3, 0, 0, 0, 0, 0, 0}, b.inputWordIds()[0]);
      assertArrayEquals(new int[] {1, 1, 1, 0, 0, 0, 0, 0, 0}, b.inputMask()[0]);
      assertArrayEquals(new int[] {-100, 1, -100, -100, -100, -100, -100, -100, -100},
          b.labels().get("labels").getRow(0).toIntVector());
    }
  }

  @Test
  void wordsPastMaxSeqLengthHaveNoPiece() {
    // T = 6 leaves 4 pieces: Anna lives in (3); Zürich (3 pieces) does not fit, so it and "." are cut.
    TaggingData d = TaggingData.of("s.conll", List.of(SENTENCE), TAGS, inputs(6));
    assertArrayEquals(new int[] {2, 5, 6, 7, 3}, d.inputIds(0));
    assertArrayEquals(new int[] {1, 2, 3, -1, -1}, d.firstPieces(0));
  }

  @Test
  void anUnknownDevTagNamesItsLineAndTheKnownTags() {
    TaggedSentence dev = new TaggedSentence("dev.conll", 7, List.of("Anna", "in"), List.of("B-PER", "B-ORG"));
    JbertException e = assertThrows(JbertException.class, () -> TaggingData.of("dev.conll", List.of(dev), TAGS,
        inputs(16)));
    assertEquals("dev.conll:8: unknown label \"B-ORG\"; known labels: [B-LOC, B-PER, O]", e.getMessage());
    assertTrue(!e.getMessage().contains("\n"));
  }
}
