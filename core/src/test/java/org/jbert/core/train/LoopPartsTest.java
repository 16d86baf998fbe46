package org.jbert.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jbert.core.JbertException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoopPartsTest {

  @Test
  void dataOrderIsAPermutationPerEpochAndRestores() {
    DataOrder o = new DataOrder(10, 3, 5);
    assertEquals(3, o.batchesPerEpoch());
    int[] seen = new int[10];
    int[][] epoch0 = {o.next(), o.next(), o.next()};
    for (int[] b : epoch0) for (int i : b) seen[i]++;
    assertEquals(9, Arrays.stream(seen).sum());
    assertTrue(Arrays.stream(seen).allMatch(c -> c <= 1));  // no repeats within an epoch, one example dropped
    int[] e1b0 = o.next();
    DataOrder.Position p = o.position();
    assertEquals(new DataOrder.Position(1, 1, p.rngState()), p);
    int[] e1b1 = o.next(), e1b2 = o.next(), e2b0 = o.next();
    DataOrder r = new DataOrder(10, 3, 5);
    r.restore(p);
    assertArrayEquals(e1b1, r.next());
    assertArrayEquals(e1b2, r.next());
    assertArrayEquals(e2b0, r.next());
    assertNotEquals(Arrays.toString(epoch0[0]), Arrays.toString(e1b0) + "x");
    DataOrder other = new DataOrder(10, 3, 6);
    assertTrue(!Arrays.equals(epoch0[0], other.next()) || !Arrays.equals(epoch0[1], other.next()));
    assertEquals("the training data has 2 examples, fewer than batch_size 3",
        assertThrows(JbertException.class, () -> new DataOrder(2, 3, 1)).getMessage());
  }

  @Test
  void withoutShuffleEveryEpochVisitsTheExamplesInOrder() {
    DataOrder o = new DataOrder(7, 3, 5, false);
    for (int epoch = 0; epoch < 2; epoch++) {
      assertArrayEquals(new int[] {0, 1, 2}, o.next());
      assertArrayEquals(new int[] {3, 4, 5}, o.next()); // example 6 is the dropped partial batch
    }
    DataOrder.Position p = o.position();
    DataOrder r = new DataOrder(7, 3, 5, false);
    r.restore(p);
    assertArrayEquals(new int[] {0, 1, 2}, r.next());
  }

  /** SplitMix64 reference values for seed 0 (Vigna's splitmix64.c: first output 0xe220a8397b1dcdaf). */
  @Test
  void rngIsSplitMix64AndResumesFromItsState() {
    Rng r = new Rng(0);
    assertEquals(0xe220a8397b1dcdafL, r.nextLong());
    assertEquals(0x6e789e6aa1b965f4L, r.nextLong());
    Rng copy = new Rng(r.state());
    assertEquals(r.nextLong(), copy.nextLong());
    int[] counts = new int[3];
    for (int i = 0; i < 3000; i++) counts[new Rng(i).nextInt(3)]++;
    for (int c : counts) assertTrue(c > 900 && c < 1100, Arrays.toString(counts));
  }

  @Test
  void metricsLogWritesWholeLinesAndDropsStepsAfterAResumePoint(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("metrics.jsonl");
    try (MetricsLog m = MetricsLog.open(f, -1)) {
      for (int s = 1; s <= 5; s++) m.log(s, 1.0 / s, 1e-4 * s, Map.of("grad_norm", 0.5));
      // flushed per line: readable while still open
      assertEquals(5, Files.readAllLines(f).size());
    }
    assertEquals("{\"step\":1,\"loss\":1.0,\"lr\":1.0E-4,\"grad_norm\":0.5}", Files.readAllLines(f).get(0));
    try (MetricsLog m = MetricsLog.open(f, 3)) {  // resumed from step 3: 4 and 5 are redone
      m.log(4, 0.2, 4e-4, Map.of("eval_accuracy", 0.75));
    }
    List<ObjectNode> lines = MetricsLog.read(f);
    assertEquals(List.of(1L, 2L, 3L, 4L), lines.stream().map(l -> l.get("step").asLong()).toList());
    assertEquals(0.2, lines.get(3).get("loss").asDouble(), 0);
    assertEquals(0.75, lines.get(3).get("eval_accuracy").asDouble(), 0);
  }

  @Test
  void progressBarLinesWithEta() {
    long[] now = {0};
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    ProgressBar bar = new ProgressBar(new PrintStream(plain, true, StandardCharsets.UTF_8), 0, 100, false, () -> now[0]);
    now[0] = 10_000_000_000L;   // 10 s for the first 10 steps -> 90 steps left = 1m30s
    bar.update(10, 0.123456, 4.5e-5);
    assertEquals("[===>                          ] 10/100  10%  loss 0.1235  lr 4.50e-05  ETA 1m30s\n",
        plain.toString(StandardCharsets.UTF_8));
    ByteArrayOutputStream tty = new ByteArrayOutputStream();
    now[0] = 0;
    ProgressBar t = new ProgressBar(new PrintStream(tty, true, StandardCharsets.UTF_8), 0, 4, true, () -> now[0]);
    now[0] = 2_000_000_000L;
    t.update(1, 1, 0);
    now[0] = 4_000_000_000L;
    t.update(4, 0.5, 0);
    t.finish();
    String s = tty.toString(StandardCharsets.UTF_8);
    assertTrue(s.startsWith("\r[=======>                      ] 1/4  25%  loss 1.0000  lr 0.00e+00  ETA 6s\r"), s);
    assertTrue(s.endsWith("] 4/4 100%  loss 0.5000  lr 0.00e+00  ETA 0s\n"), s);
    assertEquals("2h05m", ProgressBar.duration(7500));
  }
}
