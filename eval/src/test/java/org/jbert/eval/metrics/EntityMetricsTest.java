package org.jbert.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.eval.metrics.EntityMetrics.Entity;
import org.jbert.eval.metrics.EntityMetrics.Scores;
import org.junit.jupiter.api.Test;

/** References: seqeval's README and get_entities docstring, and hand-worked chunkings under its default rules. */
class EntityMetricsTest {
  private static final double EPS = 1e-12;

  @Test
  void seqevalReadmeExample() {
    List<List<String>> yTrue = List.of(List.of("O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O"),
        List.of("B-PER", "I-PER", "O"));
    List<List<String>> yPred = List.of(List.of("O", "O", "B-MISC", "I-MISC", "I-MISC", "I-MISC", "O"),
        List.of("B-PER", "I-PER", "O"));
    EntityMetrics m = EntityMetrics.of(yTrue, yPred);
    // README: f1_score 0.50, accuracy_score 0.80, classification_report:
    //   MISC 0.00 0.00 0.00 1 / PER 1.00 1.00 1.00 1 / micro, macro, weighted avg 0.50 0.50 0.50 2
    assertEquals(0.5, m.micro().f1(), EPS);
    assertEquals(0.5, m.micro().precision(), EPS);
    assertEquals(0.5, m.micro().recall(), EPS);
    assertEquals(0.8, m.tokenAccuracy(), EPS);
    assertEquals(List.of(new Scores("MISC", 0, 0, 0, 1), new Scores("PER", 1, 1, 1, 1)), m.perType());
    assertEquals(0.5, m.macro().f1(), EPS);
    assertEquals(0.5, m.weighted().f1(), EPS);
    assertEquals(2, m.micro().support());
  }

  @Test
  void getEntitiesDocstringAndNonStrictRules() {
    // seqeval get_entities docstring: ['B-PER', 'I-PER', 'O', 'B-LOC'] -> [('PER', 0, 1), ('LOC', 3, 3)]
    assertEquals(List.of(new Entity("PER", 0, 1), new Entity("LOC", 3, 3)),
        EntityMetrics.entities(List.of("B-PER", "I-PER", "O", "B-LOC")));
    // I- after O starts an entity (non-strict)
    assertEquals(List.of(new Entity("PER", 1, 2)), EntityMetrics.entities(List.of("O", "I-PER", "I-PER", "O")));
    // a type change inside ends one entity and starts another
    assertEquals(List.of(new Entity("PER", 0, 0), new Entity("LOC", 1, 1)),
        EntityMetrics.entities(List.of("B-PER", "I-LOC")));
    // IOB1: B- only separates adjacent entities of one type
    assertEquals(List.of(new Entity("PER", 0, 1), new Entity("PER", 2, 2)),
        EntityMetrics.entities(List.of("I-PER", "I-PER", "B-PER", "O")));
    // IOBES
    assertEquals(List.of(new Entity("PER", 0, 0), new Entity("LOC", 1, 3)),
        EntityMetrics.entities(List.of("S-PER", "B-LOC", "I-LOC", "E-LOC", "O")));
    // E then I of the same type: E closes, I opens a new entity
    assertEquals(List.of(new Entity("LOC", 0, 1), new Entity("LOC", 2, 2)),
        EntityMetrics.entities(List.of("B-LOC", "E-LOC", "I-LOC")));
    // types may contain '-': everything after the first '-' following the prefix
    assertEquals(List.of(new Entity("B-X", 0, 0)), EntityMetrics.entities(List.of("B-B-X")));
    // sentences are joined with an "O" between them, so an entity never spans two sentences
    assertEquals(List.of(new Entity("PER", 0, 0), new Entity("PER", 2, 2)),
        EntityMetrics.entitiesOfSentences(List.of(List.of("I-PER"), List.of("I-PER"))));
  }

  @Test
  void microMacroDifferByHand() {
    // gold: PER(0,1) LOC(3,3) ORG(5,5); pred: PER(0,1) LOC(3,3) LOC(4,4)
    List<List<String>> yTrue = List.of(List.of("B-PER", "I-PER", "O", "B-LOC", "O", "B-ORG"));
    List<List<String>> yPred = List.of(List.of("B-PER", "I-PER", "O", "B-LOC", "B-LOC", "O"));
    EntityMetrics m = EntityMetrics.of(yTrue, yPred);
    // micro: 2 correct of 3 predicted and 3 gold -> 2/3 each
    assertEquals(2.0 / 3, m.micro().precision(), EPS);
    assertEquals(2.0 / 3, m.micro().recall(), EPS);
    assertEquals(2.0 / 3, m.micro().f1(), EPS);
    // LOC P 1/2 R 1 F 2/3; ORG 0 0 0; PER 1 1 1 -> macro P 1/2, R 2/3, F1 5/9
    assertEquals(List.of("LOC", "ORG", "PER"), m.types());
    assertEquals(0.5, m.macro().precision(), EPS);
    assertEquals(2.0 / 3, m.macro().recall(), EPS);
    assertEquals(5.0 / 9, m.macro().f1(), EPS);
    // tokens: 4 of 6 equal
    assertEquals(4.0 / 6, m.tokenAccuracy(), EPS);
  }

  @Test
  void tagIdsWithIgnoredPositions() {
    // README example again, as ids, with -100 gold ids (word-piece continuations) whose predictions must not count:
    // names O=0, B-MISC=1, I-MISC=2, B-PER=3, I-PER=4
    List<String> names = List.of("O", "B-MISC", "I-MISC", "B-PER", "I-PER");
    List<int[]> yTrue = List.of(new int[] {0, 0, 0, 1, -100, 2, 2, 0}, new int[] {3, 4, -100, 0});
    List<int[]> yPred = List.of(new int[] {0, 0, 1, 2, 3, 2, 2, 0}, new int[] {3, 4, 1, 0});
    EntityMetrics m = EntityMetrics.ofIds(yTrue, yPred, names);
    assertEquals(0.5, m.micro().f1(), EPS);
    assertEquals(0.8, m.tokenAccuracy(), EPS);
    JbertException e = assertThrows(JbertException.class,
        () -> EntityMetrics.ofIds(List.of(new int[] {0}), List.of(new int[] {7}), names));
    assertEquals("yPred sentence 0 position 0: tag id 7: expected an id in [0, 5)", e.getMessage());
  }

  @Test
  void lengthMismatchIsAnError() {
    JbertException e = assertThrows(JbertException.class,
        () -> EntityMetrics.of(List.of(List.of("O", "O")), List.of(List.of("O"))));
    assertEquals("yPred sentence 0 has 1 tags: expected 2", e.getMessage());
  }
}
