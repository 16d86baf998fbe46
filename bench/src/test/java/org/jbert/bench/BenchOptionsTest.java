package org.jbert.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jbert.core.JbertException;
import org.jbert.bench.BenchRun.Phase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Option parsing and validation: every error names the option and the bad value. */
class BenchOptionsTest {
  private static final Set<Phase> ALL = EnumSet.allOf(Phase.class);

  private static String error(Executable e) {
    return assertThrows(JbertException.class, e).getMessage();
  }

  @Test
  void phasesParse() {
    assertEquals(EnumSet.of(Phase.INFERENCE, Phase.TRAIN), BenchRun.parsePhases("train, Inference"));
    assertEquals(ALL, BenchRun.parsePhases("sgemm,kernels,inference,realtext,train"));
    assertEquals("--only 'inference,speed': unknown phase 'speed'; expected a comma-separated list of sgemm, "
        + "kernels, inference, realtext, train", error(() -> BenchRun.parsePhases("inference,speed")));
    assertEquals("--only 'train,': unknown phase ''; expected a comma-separated list of sgemm, kernels, inference, "
        + "realtext, train", error(() -> BenchRun.parsePhases("train,")));
  }

  @Test
  void trainBatchesParse() {
    assertEquals(List.of(8, 32), BenchRun.parsePositiveInts("--train-batches", "8, 32,8"));
    assertEquals("--train-batches '8,x': 'x' is not a positive integer; expected e.g. 8,32",
        error(() -> BenchRun.parsePositiveInts("--train-batches", "8,x")));
    assertEquals("--train-batches '0': '0' is not a positive integer; expected e.g. 8,32",
        error(() -> BenchRun.parsePositiveInts("--train-batches", "0")));
    assertEquals("--train-batches '': '' is not a positive integer; expected e.g. 8,32",
        error(() -> BenchRun.parsePositiveInts("--train-batches", "")));
  }

  private static BenchRun.Options options(int batch, int steps, int inferenceBatches, int texts, Path file,
      int sgemm) {
    return new BenchRun.Options("bert-base-uncased", ALL, batch, List.of(8, 32), steps, 8, inferenceBatches, texts,
        file, sgemm, true, false, true);
  }

  @Test
  void numbersOutOfRangeAreNamed() {
    assertEquals("--batch 0: expected an integer >= 1", error(() -> options(0, 3, 5, 256, null, 4096)));
    assertEquals("--train-steps -2: expected an integer >= 1", error(() -> options(32, -2, 5, 256, null, 4096)));
    assertEquals("--inference-batches 0: expected an integer >= 1",
        error(() -> options(32, 3, 0, 256, null, 4096)));
    assertEquals("--texts 0: expected an integer >= 1", error(() -> options(32, 3, 5, 0, null, 4096)));
    assertEquals("--sgemm-size 8: expected an integer >= 16", error(() -> options(32, 3, 5, 256, null, 8)));
    assertEquals("--texts-file no/such.jsonl: file not found; expected JSON Lines with a text per line",
        error(() -> options(32, 3, 5, 256, Path.of("no/such.jsonl"), 4096)));
    assertEquals("--only: no phase; expected some of sgemm, kernels, inference, realtext, train",
        error(() -> new BenchRun.Options("m", Set.of(), 32, List.of(8), 3, 8, 5, 256, null, 4096, true, false, true)));
    assertEquals("--train-batches: no batch size; expected e.g. 8,32",
        error(() -> new BenchRun.Options("m", ALL, 32, List.of(), 3, 8, 5, 256, null, 4096, true, false, true)));
    assertEquals("--train-micro-batch -1: expected an integer >= 0",
        error(() -> new BenchRun.Options("m", ALL, 32, List.of(32), 3, -1, 5, 256, null, 4096, true, false, true)));
    assertEquals("--train-micro-batch 12 does not divide training batch 32; expected a divisor of every"
        + " --train-batches value, or 0 for one pass",
        error(() -> new BenchRun.Options("m", ALL, 32, List.of(8, 32), 3, 12, 5, 256, null, 4096, true, false, true)));
  }
}
