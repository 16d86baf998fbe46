package org.jbert.pretraining.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.pretraining.PretrainingBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstanceReaderTest {
  @TempDir Path dir;

  static final List<TrainingInstance> INSTANCES = List.of(
      new TrainingInstance(new int[] {2, 7, 4, 3, 9, 10, 3}, new int[] {0, 0, 0, 0, 1, 1, 1}, new int[] {2, 5},
          new int[] {8, 11}, false),
      new TrainingInstance(new int[] {2, 4, 6, 3, 12, 3}, new int[] {0, 0, 0, 0, 1, 1}, new int[] {1}, new int[] {5},
          true));

  @Test
  void readsBackWhatTheWriterWrote() {
    Path file = dir.resolve("instances.jsonl");
    PretrainingDataOptions opts = PretrainingDataOptions.defaults().withMaxSeqLength(10).withMaxPredictionsPerSeq(3);
    InstanceWriter.write(file, opts, sink -> {
      INSTANCES.forEach(sink);
      return null;
    });
    List<TrainingInstance> back = InstanceReader.read(file, 20);
    assertEquals(2, back.size());
    for (int i = 0; i < 2; i++) {
      TrainingInstance a = INSTANCES.get(i), b = back.get(i);
      assertArrayEquals(a.inputIds(), b.inputIds(), "padding cut off");
      assertArrayEquals(a.segmentIds(), b.segmentIds());
      assertArrayEquals(a.maskedLmPositions(), b.maskedLmPositions(), "weight-0 predictions cut off");
      assertArrayEquals(a.maskedLmIds(), b.maskedLmIds());
      assertEquals(a.randomNext(), b.randomNext());
    }
    // and as a batch: T = the longest row (7), M as asked, weights 1 only for real predictions
    PretrainingBatch batch = PretrainingBatch.of(back, 3);
    assertEquals(7, batch.inputWordIds()[1].length);
    assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 0}, batch.inputMask()[1]);
    assertArrayEquals(new int[] {1, 0, 0}, batch.maskedLmPositions()[1]);
    assertArrayEquals(new float[] {1, 0, 0}, batch.maskedLmWeights()[1]);
    assertArrayEquals(new int[] {0, 1}, batch.nextSentenceLabels());
  }

  private JbertException bad(String line) throws Exception {
    Path file = dir.resolve("bad.jsonl");
    String good = "{\"input_ids\":[2,5,3,0],\"input_mask\":[1,1,1,0],\"segment_ids\":[0,0,0,0],"
        + "\"masked_lm_positions\":[1,0],\"masked_lm_ids\":[6,0],\"masked_lm_weights\":[1.0,0.0],"
        + "\"next_sentence_label\":0}";
    Files.writeString(file, good + "\n" + line + "\n");
    JbertException e = assertThrows(JbertException.class, () -> InstanceReader.read(file, 20));
    assertTrue(e.getMessage().startsWith(file + ":2: "), e.getMessage());
    assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    return e;
  }

  @Test
  void badLinesNameFileLineAndField() throws Exception {
    String head = "{\"input_ids\":[2,5,3,0],\"segment_ids\":[0,0,0,0],\"masked_lm_ids\":[6,0],"
        + "\"next_sentence_label\":0,";
    assertTrue(bad(head + "\"input_mask\":[1,0,1,0],\"masked_lm_positions\":[1,0],\"masked_lm_weights\":[1,0]}")
        .getMessage().contains("\"input_mask\"[2] is 1 after a 0"));
    assertTrue(bad(head + "\"input_mask\":[1,1,1],\"masked_lm_positions\":[1,0],\"masked_lm_weights\":[1,0]}")
        .getMessage().contains("\"input_mask\" has 3 entries; expected 4"));
    assertTrue(bad(head + "\"input_mask\":[1,1,1,0],\"masked_lm_positions\":[3,0],\"masked_lm_weights\":[1,0]}")
        .getMessage().contains("\"masked_lm_positions\"[0] is 3; expected a position of a real token, below 3"));
    assertTrue(bad(head + "\"input_mask\":[1,1,1,0],\"masked_lm_positions\":[1,0],\"masked_lm_weights\":[0.5,0]}")
        .getMessage().contains("\"masked_lm_weights\"[0] is 0.5"));
    assertTrue(bad("{\"input_ids\":[2,25,3],\"input_mask\":[1,1,1],\"segment_ids\":[0,0,0],"
        + "\"masked_lm_positions\":[1],\"masked_lm_ids\":[6],\"masked_lm_weights\":[1],\"next_sentence_label\":0}")
        .getMessage().contains("\"input_ids\"[1] is 25; expected an integer in [0, 20) (the model's vocab_size"
            + " is 20)"));
    Path file = dir.resolve("bad.jsonl");
    JbertException tooLong = assertThrows(JbertException.class, () -> InstanceReader.read(file, 20, 2));
    assertTrue(tooLong.getMessage().startsWith(file + ":1: 3 real tokens; expected at most 2"), tooLong.getMessage());
    assertTrue(bad("{\"text\": \"hello\"}").getMessage().contains("\"input_ids\" is missing"));
    assertTrue(bad("{\"input_ids\": [2, 3").getMessage().contains("not valid JSON"));
  }
}
