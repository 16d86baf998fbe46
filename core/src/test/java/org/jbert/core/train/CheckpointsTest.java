package org.jbert.core.train;

import static org.jbert.core.train.PoolerNames.BIAS;
import static org.jbert.core.train.PoolerNames.KERNEL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jbert.core.JbertException;
import org.jbert.core.io.Npz;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class CheckpointsTest {

  private static Map<String, INDArray> params(float base) {
    Map<String, INDArray> p = new LinkedHashMap<>();
    p.put(KERNEL, Nd4j.create(new float[] {base, base + 1, base + 2, base + 3, base + 4, base + 5},
        new long[] {2, 3}, 'c'));
    p.put(BIAS, Nd4j.create(new float[] {-base, 0.5f, 1e-7f}, new long[] {3}, 'c'));
    return p;
  }

  @Test
  void saveLoadRoundTripKeepsTheNewestAndPointsLatest(@TempDir Path run) throws Exception {
    Checkpoints cps = new Checkpoints(run, 2);
    assertTrue(cps.latest().isEmpty());
    Map<String, INDArray> p = params(1);
    try (AdamW opt = new AdamW(p, AdamW.Hyper.torchDefaults())) {
      Map<String, INDArray> g = params(0.25f);
      ObjectNode state = new ObjectMapper().createObjectNode().put("note", "x");
      for (long step = 1; step <= 3; step++) {
        opt.step(g);
        cps.save(step * 10, p, opt.state(), state);
      }
      assertEquals(List.of(cps.dir().resolve("step-20"), cps.dir().resolve("step-30")), cps.list());
      assertEquals("step-30\n", Files.readString(cps.dir().resolve("latest")));
      Checkpoints.Loaded l = cps.load(cps.latest().orElseThrow());
      assertEquals(30, l.step());
      assertEquals(3, l.state().get("optimizer_step").asLong());
      assertEquals("x", l.state().get("note").asText());
      assertArrayEquals(p.get(KERNEL).dup().data().asFloat(), l.model().get(KERNEL).floats());
      assertArrayEquals(new long[] {3}, l.v().get(BIAS).shape());
      assertArrayEquals(opt.state().m().get(BIAS).dup().data().asFloat(),
          l.m().get(BIAS).floats());
      // restore into other arrays, in place
      Map<String, INDArray> q = params(9);
      INDArray live = q.get(KERNEL);
      Checkpoints.assign(l.model(), q, "model.npz");
      assertEquals(p.get(KERNEL), live);
    }
    // no temp folders are left behind
    try (var s = Files.list(cps.dir())) {
      assertFalse(s.anyMatch(x -> x.getFileName().toString().startsWith(".")));
    }
  }

  @Test
  void staleTempFoldersFromACrashAreRemovedOnTheNextSave(@TempDir Path run) throws Exception {
    Checkpoints cps = new Checkpoints(run, 3);
    Files.createDirectories(cps.dir().resolve(".step-5.123"));
    Files.writeString(cps.dir().resolve(".step-5.123").resolve("model.npz"), "half");
    Map<String, INDArray> p = params(1);
    try (AdamW opt = new AdamW(p, AdamW.Hyper.torchDefaults())) {
      cps.save(6, p, opt.state(), new ObjectMapper().createObjectNode());
    }
    assertFalse(Files.exists(cps.dir().resolve(".step-5.123")));
    assertEquals(List.of(cps.dir().resolve("step-6")), cps.list());
  }

  @Test
  void badCheckpointsAreNamed(@TempDir Path run) throws Exception {
    Checkpoints cps = new Checkpoints(run, 1);
    Files.createDirectories(cps.dir());
    Files.writeString(cps.dir().resolve("latest"), "step-7\n");
    assertEquals(cps.dir().resolve("latest") + ": names step-7, which does not exist in " + cps.dir(),
        assertThrows(JbertException.class, cps::latest).getMessage());
    Files.createDirectories(cps.dir().resolve("step-7"));
    assertEquals(cps.dir().resolve("step-7") + ": checkpoint has no model.npz; expected model.npz, optimizer.npz and state.json",
        assertThrows(JbertException.class, () -> cps.load(cps.dir().resolve("step-7"))).getMessage());
    Map<String, Npz.Array> saved = Map.of(KERNEL, Npz.Array.of(new float[6], 3, 2),
        BIAS, Npz.Array.of(new float[3], 3));
    assertEquals("model.npz: " + KERNEL + " is float32 [3, 2]; expected float32 [2, 3]",
        assertThrows(JbertException.class, () -> Checkpoints.assign(saved, params(0), "model.npz")).getMessage());
    Map<String, INDArray> extra = new LinkedHashMap<>(params(0));
    extra.remove(BIAS);
    Map<String, Npz.Array> ok = Map.of(KERNEL, Npz.Array.of(new float[6], 2, 3),
        BIAS, Npz.Array.of(new float[3], 3));
    assertEquals("model.npz: unexpected array " + BIAS + " not in this model",
        assertThrows(JbertException.class, () -> Checkpoints.assign(ok, extra, "model.npz")).getMessage());
  }

  @Test
  void adamStateOfAnotherModelIsRejected() {
    try (AdamW opt = new AdamW(params(1), AdamW.Hyper.torchDefaults())) {
      AdamW.State wrong = new AdamW.State(3, Map.of(KERNEL, Nd4j.zeros(DataType.FLOAT, 2, 3)),
          Map.of());
      assertEquals("ckpt: no AdamW m for parameter " + BIAS,
          assertThrows(JbertException.class, () -> opt.load(wrong, "ckpt")).getMessage());
    }
  }
}
