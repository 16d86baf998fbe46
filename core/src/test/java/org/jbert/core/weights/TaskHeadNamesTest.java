package org.jbert.core.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jbert.core.JbertException;
import org.junit.jupiter.api.Test;

/** The task-head rows of the name table: Google names, HF names, layouts. */
class TaskHeadNamesTest {
  @Test
  void classifierFollowsRunClassifierAndHf() {
    List<CheckpointNames> e = CheckpointNames.sequenceClassifier(48, 3);
    assertEquals("output_weights", e.get(0).canonical());
    assertEquals("classifier.weight", e.get(0).hf());
    assertArrayEquals(new long[] {3, 48}, e.get(0).shape());
    assertFalse(e.get(0).transposed(), "[C,H] on both sides");
    assertEquals("output_bias", e.get(1).canonical());
    assertEquals("classifier.bias", e.get(1).hf());
    assertEquals(CheckpointNames.Init.ZEROS, e.get(1).init());
    assertEquals(CheckpointNames.Init.TRUNCATED_NORMAL, e.get(0).init());
  }

  @Test
  void squadAndTaggingScopes() {
    List<CheckpointNames> q = CheckpointNames.squad(48);
    assertEquals("cls/squad/output_weights", q.get(0).canonical());
    assertEquals("qa_outputs.weight", q.get(0).hf());
    assertArrayEquals(new long[] {2, 48}, q.get(0).shape());
    List<CheckpointNames> t = CheckpointNames.tokenClassifier(48, 5);
    assertEquals("cls/token_classification/output_bias", t.get(1).canonical());
    assertEquals("classifier.bias", t.get(1).hf());
  }

  @Test
  void headNamesResolveExactlyBeforeTheBertPrefixRule() {
    List<CheckpointNames> table = new java.util.ArrayList<>(CheckpointNames.sequenceClassifier(48, 3));
    assertEquals("output_weights", CheckpointNames.byHuggingFace(table, "classifier.weight").orElseThrow().canonical());
  }

  @Test
  void customHeadsGetNamesFromTheirScope() {
    List<CheckpointNames> d = CheckpointNames.customDense("my_head/proj", 48, 7);
    assertEquals("my_head/proj/kernel", d.get(0).canonical());
    assertEquals("my_head.proj.weight", d.get(0).hf());
    assertTrue(d.get(0).transposed());
    JbertException e = assertThrows(JbertException.class, () -> CheckpointNames.customOutputLayer("bert/x", 4, 2));
    assertTrue(e.getMessage().contains("'bert/x'"), e.getMessage());
  }
}
