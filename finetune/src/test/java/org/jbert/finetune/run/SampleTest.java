package org.jbert.finetune.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code data.max_train_examples} takes a seeded sample, not the head of a sorted file. */
class SampleTest {

  @Test
  void aSampleOfALabelSortedFileHoldsBothLabelsInFileOrder() {
    List<String> rows = new ArrayList<>();
    for (int i = 0; i < 3000; i++) rows.add((i < 2000 ? "ham-" : "spam-") + String.format("%04d", i));
    List<String> s = FinetuneRun.sample(rows, 500, 42);
    assertEquals(500, s.size());
    long spam = s.stream().filter(r -> r.startsWith("spam")).count();
    assertTrue(spam > 120 && spam < 220, spam + " spam rows of 500; expected about a third");
    for (int i = 1; i < s.size(); i++) assertTrue(s.get(i - 1).compareTo(s.get(i)) < 0, "file order kept");
    assertEquals(s, FinetuneRun.sample(rows, 500, 42), "same seed, same sample");
    assertTrue(!s.equals(FinetuneRun.sample(rows, 500, 43)), "another seed, another sample");
    assertSame(rows, FinetuneRun.sample(rows, 0, 42));
    assertSame(rows, FinetuneRun.sample(rows, 3000, 42));
  }
}
