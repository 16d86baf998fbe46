package org.jbert.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jbert.core.JbertException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, items 1-7: one run per folder (a lock naming the holder's pid, released when the holder dies), a folder
 * holding a run is refused unless resumed or overwritten, a resume needs a complete checkpoint (found without
 * {@code latest}) written with the same data-order settings and data files, it is checked before anything is
 * written, and stale temps of a killed run are removed.
 */
class RunFolderTest {
  private static final int N = 24, BATCH = 4;

  /** 12 steps of 2 micro-batches of 4; checkpoints every 4 steps. */
  private static TrainConfig config(Path out, int batch, int accum, long seed, boolean shuffle, long maxSteps) {
    return new TrainConfig(0.05, 0.01, 0.9, 0.999, 1e-8, TrainConfig.Schedule.LINEAR, 3, 0, maxSteps, 0, batch, shuffle,
        accum, 0.5, seed, 1, 0, 4, 3, out.toString());
  }

  private static TrainConfig config(Path out) {
    return config(out, BATCH, 2, 7, true, 12);
  }

  private static Trainer<TinyMlp.Batch> trainer(TrainConfig c, TinyMlp m) {
    return new Trainer<>(c, m, TinyMlp.data(N)).progress(new PrintStream(new ByteArrayOutputStream()), false);
  }

  private static Trainer.Result run(TrainConfig c, boolean resume, long stopAfter) {
    try (TinyMlp m = new TinyMlp(1, c.batchSize(), 0.2)) {
      return trainer(c, m).resume(resume).run(stopAfter);
    }
  }

  /** Item 1: a live run holds the folder (another process here); its pid is named; once it is killed, runs go on. */
  @Test
  void aSecondRunIsRefusedNamingTheHolderAndADeadHolderNeverBlocks(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("run");
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), RunFolderHolder.class.getName(), out.toString())
        .redirectErrorStream(true).start();
    try {
      BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("locked", in.readLine());
      JbertException e = assertThrows(JbertException.class, () -> run(config(out), false, Long.MAX_VALUE));
      assertTrue(e.getMessage().startsWith(out + ": in use by another run (pid " + child.pid() + " on "),
          e.getMessage());
      assertFalse(e.getMessage().contains("\n"));
      assertEquals(List.of(), RunFolder.outputsPresent(out), "the refused run wrote nothing");
    } finally {
      child.destroyForcibly();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    }
    // The killed holder's lock file (its pid inside) is still there: it must not block.
    assertTrue(Files.readString(out.resolve(RunFolder.LOCK)).startsWith("pid " + child.pid() + " "));
    assertEquals(12, run(config(out), false, Long.MAX_VALUE).lastStep());
    assertTrue(Files.readString(out.resolve(RunFolder.LOCK)).startsWith("pid " + ProcessHandle.current().pid() + " "));

    // Within one process too (two trainers on one folder): the second is refused while the first holds it.
    Path other = dir.resolve("other");
    try (RunFolder held = RunFolder.open(other, RunFolder.Mode.FRESH, ResumeCheck.of(config(other)))) {
      JbertException e = assertThrows(JbertException.class, () -> run(config(other), false, Long.MAX_VALUE));
      assertTrue(e.getMessage().contains("in use by another run (pid " + ProcessHandle.current().pid()), e.getMessage());
    }
    assertEquals(12, run(config(other), false, Long.MAX_VALUE).lastStep());
  }

  /** Item 2: a finished run's folder is refused without resume (nothing touched); --overwrite starts over cleanly. */
  @Test
  void aFolderHoldingARunIsRefusedAndOverwriteStartsOver(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("run");
    Trainer.Result first = run(config(out), false, Long.MAX_VALUE);
    byte[] metrics = Files.readAllBytes(out.resolve("metrics.jsonl"));
    Files.writeString(out.resolve("notes.txt"), "mine");
    JbertException e = assertThrows(JbertException.class, () -> run(config(out, BATCH, 2, 7, true, 4), false, 2));
    assertEquals(out + ": holds an earlier run (config.resolved.yaml, metrics.jsonl, checkpoints, report.md, loss.png,"
        + " lr.png); expected --resume to continue it, --overwrite to delete it and start over, or another"
        + " train.output_dir", e.getMessage());
    assertArrayEquals(metrics, Files.readAllBytes(out.resolve("metrics.jsonl")));

    TrainConfig shorter = config(out, BATCH, 2, 7, true, 4);
    try (RunFolder f = RunFolder.open(out, RunFolder.Mode.OVERWRITE, ResumeCheck.of(shorter));
        TinyMlp m = new TinyMlp(1, BATCH, 0.2)) {
      Trainer.Result r = trainer(shorter, m).folder(f).run();
      assertEquals(4, r.lastStep());
    }
    assertEquals(4, MetricsLog.read(out.resolve("metrics.jsonl")).size(), "only the new run's lines");
    Checkpoints cps = new Checkpoints(out, 3);
    assertEquals(List.of(cps.dir().resolve("step-4")), cps.list(), "the old run's step-8 and step-12 are gone");
    assertEquals(first.losses().get(0), MetricsLog.read(out.resolve("metrics.jsonl")).get(0).get("loss").asDouble());
    assertEquals("mine", Files.readString(out.resolve("notes.txt")), "files the run does not own stay");
  }

  /** Item 3: --resume without any checkpoint is an error, and a mistyped folder is not created. */
  @Test
  void resumeWithoutACheckpointIsAnError(@TempDir Path dir) throws Exception {
    Path typo = dir.resolve("tpyo");
    JbertException e = assertThrows(JbertException.class, () -> run(config(typo), true, Long.MAX_VALUE));
    assertTrue(e.getMessage().startsWith(typo + ": no checkpoint to resume from"), e.getMessage());
    assertFalse(Files.exists(typo));
    Path empty = Files.createDirectories(dir.resolve("empty/checkpoints")).getParent();
    e = assertThrows(JbertException.class, () -> run(config(empty), true, Long.MAX_VALUE));
    assertTrue(e.getMessage().startsWith(empty + ": no checkpoint to resume from (" + empty.resolve("checkpoints")
        + " holds no complete step-<N> folder)"), e.getMessage());
    assertFalse(Files.exists(empty.resolve("config.resolved.yaml")));
  }

  /**
   * Item 4: without {@code latest} (and with an incomplete newer folder beside), the resume finds the newest complete
   * checkpoint and continues exactly.
   */
  @Test
  void aMissingLatestPointerResumesFromTheNewestCompleteCheckpoint(@TempDir Path dir) throws Exception {
    Trainer.Result full = run(config(dir.resolve("full")), false, Long.MAX_VALUE);
    Path out = dir.resolve("run");
    run(config(out), false, 6);  // checkpoints step-4 and step-6
    Path cps = out.resolve("checkpoints");
    Files.delete(cps.resolve(Checkpoints.LATEST));
    Files.createDirectories(cps.resolve("step-7"));
    Files.writeString(cps.resolve("step-7").resolve(Checkpoints.STATE), "{\"step\": 7}");  // no model, no optimizer
    Trainer.Result r = run(config(out), true, Long.MAX_VALUE);
    assertEquals(7, r.firstStep());
    assertEquals(full.losses().subList(6, 12), r.losses());
  }

  /** Items 5 and 6: every data-order setting and the data files must match, checked before anything is written. */
  @Test
  void aResumeWithOtherSettingsIsRefusedNamingBothValuesBeforeWriting(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("run");
    Path data = Files.writeString(dir.resolve("train.jsonl"), "{\"text\": \"a\"}\n");
    TrainConfig c = config(out);
    try (RunFolder f = RunFolder.open(out, RunFolder.Mode.FRESH, ResumeCheck.of(c).withFile("data.train", data));
        TinyMlp m = new TinyMlp(1, BATCH, 0.2)) {
      trainer(c, m).folder(f).run(5);
    }
    byte[] yaml = Files.readAllBytes(out.resolve("config.resolved.yaml"));
    byte[] metrics = Files.readAllBytes(out.resolve("metrics.jsonl"));
    Path state = out.resolve("checkpoints/step-5/state.json");
    Map<String, TrainConfig> changed = Map.of(
        "train.batch_size was 4 when the checkpoint was written but is 2 now", config(out, 2, 2, 7, true, 12),
        "train.grad_accum_steps was 2 when the checkpoint was written but is 1 now", config(out, BATCH, 1, 7, true, 12),
        "train.seed was 7 when the checkpoint was written but is 8 now", config(out, BATCH, 2, 8, true, 12),
        "train.shuffle was true when the checkpoint was written but is false now", config(out, BATCH, 2, 7, false, 12),
        "train.max_steps was 12 when the checkpoint was written but is 20 now", config(out, BATCH, 2, 7, true, 20));
    for (Map.Entry<String, TrainConfig> e : changed.entrySet()) {
      JbertException x = assertThrows(JbertException.class,
          () -> RunFolder.open(out, RunFolder.Mode.RESUME, ResumeCheck.of(e.getValue()).withFile("data.train", data)));
      assertEquals(state + ": " + e.getKey() + "; expected the same to resume exactly (or --overwrite to start over)",
          x.getMessage());
    }
    // The Trainer's own check (no data files): the same refusal, and the folder is untouched.
    JbertException x = assertThrows(JbertException.class, () -> run(config(out, 2, 2, 7, true, 12), true, 8));
    assertTrue(x.getMessage().contains("train.batch_size was 4"), x.getMessage());
    // Same size, other content: refused, naming both fingerprints.
    String before = ResumeCheck.fingerprint(data);
    Files.writeString(data, "{\"text\": \"b\"}\n");
    x = assertThrows(JbertException.class,
        () -> RunFolder.open(out, RunFolder.Mode.RESUME, ResumeCheck.of(c).withFile("data.train", data)));
    assertEquals(state + ": data.train was " + before + " when the checkpoint was written but is "
        + ResumeCheck.fingerprint(data) + " now; expected the same to resume exactly (or --overwrite to start over)",
        x.getMessage());
    assertTrue(before.startsWith("train.jsonl, 14 bytes, sha256 "), before);
    assertArrayEquals(yaml, Files.readAllBytes(out.resolve("config.resolved.yaml")), "config.resolved.yaml untouched");
    assertArrayEquals(metrics, Files.readAllBytes(out.resolve("metrics.jsonl")));
    // With the original file back, the resume goes through.
    Files.writeString(data, "{\"text\": \"a\"}\n");
    try (RunFolder f = RunFolder.open(out, RunFolder.Mode.RESUME, ResumeCheck.of(c).withFile("data.train", data))) {
      assertEquals(out.resolve("checkpoints/step-5"), f.resumeFrom().orElseThrow());
    }
  }

  /** Item 7: the temps a killed run leaves (final save, checkpoint, pointers, logs) are removed; others' files stay. */
  @Test
  void staleTempsOfTheRunLayoutAreRemoved(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("run");
    run(config(out), false, 4);
    List<Path> stale = List.of(out.resolve(".model.tmp4242/model.safetensors"), out.resolve(".model.old77/config.json"),
        out.resolve(".metrics.jsonl.123.tmp"), out.resolve(".report.md.9.tmp"), out.resolve(".trash-model-5/x"),
        out.resolve("checkpoints/.latest.31.tmp"), out.resolve("checkpoints/.step-8.123/model.npz"),
        out.resolve("checkpoints/.trash-step-4-99/state.json"), out.resolve("data/.train.txt.5.tmp"));
    List<Path> kept = List.of(out.resolve(".keep"), out.resolve("notes.tmp"), out.resolve("data/train.txt"),
        out.resolve(".modelling/x"));
    for (Path p : stale) write(p);
    for (Path p : kept) write(p);
    assertEquals(12, run(config(out), true, Long.MAX_VALUE).lastStep());
    for (Path p : stale) assertFalse(Files.exists(p.getParent().getFileName().toString().startsWith(".")
        ? p.getParent() : p), p.toString());
    for (Path p : kept) assertTrue(Files.exists(p), p.toString());
  }

  private static void write(Path p) throws Exception {
    Files.createDirectories(p.getParent());
    Files.writeString(p, "x");
  }
}
