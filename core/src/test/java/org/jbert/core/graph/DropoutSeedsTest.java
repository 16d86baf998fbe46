package org.jbert.core.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Dropout masks: new on each run, different per layer, and repeated for the same global seed. */
class DropoutSeedsTest {
  @Test
  void masksAreFreshPerRunDistinctPerOpAndReproducible() {
    SameDiff sd = SameDiff.create();
    DropoutSeeds seeds = DropoutSeeds.attach(sd);
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 64);
    SDVariable on = sd.constant(Nd4j.scalar(DataType.FLOAT, 1));
    sd.identity("a", Ops.dropout(x, on, 0.5));
    sd.identity("b", Ops.dropout(x, on, 0.5));
    Map<String, INDArray> ph = Map.of("x", Nd4j.ones(DataType.FLOAT, 2, 64));

    Nd4j.getRandom().setSeed(42);
    seeds.beginRun();
    Map<String, INDArray> r1 = sd.output(ph, "a", "b");
    seeds.beginRun();
    Map<String, INDArray> r2 = sd.output(ph, "a", "b");
    assertNotEquals(r1.get("a"), r2.get("a"), "a new mask on each run");
    assertNotEquals(r1.get("a"), r1.get("b"), "two dropout ops draw different masks");

    Nd4j.getRandom().setSeed(7);
    seeds.beginRun();
    Map<String, INDArray> other = sd.output(ph, "a");
    assertNotEquals(r1.get("a"), other.get("a"), "another seed, another mask");
    Nd4j.getRandom().setSeed(42);
    seeds.beginRun();
    Map<String, INDArray> again = sd.output(ph, "a", "b");
    assertEquals(r1.get("a"), again.get("a"), "same global seed, same masks");
    assertEquals(r1.get("b"), again.get("b"));
    // Inverted dropout at 0.5: kept values are 2, dropped 0.
    double kept = r1.get("a").sumNumber().doubleValue() / 2;
    assertEquals(64, kept, 24, "about half of 128 kept");
  }
}
