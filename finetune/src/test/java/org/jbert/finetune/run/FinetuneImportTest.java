package org.jbert.finetune.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.finetune.Batch;
import org.jbert.finetune.TaskModel;
import org.jbert.finetune.TaskModelFiles;
import org.jbert.testing.HfTiny;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs that start from a task model folder: the tiny Hugging Face {@code BertForSequenceClassification} fixture
 * (transformers 5.17.0, see src/test/resources/hf-tiny-bert/README.md) and a run's own saved jbert model.
 */
class FinetuneImportTest {
  @TempDir Path dir;

  /** The golden batch's 3 rows as pre-tokenized JSON Lines with {@code labels}. */
  Path goldenRows(String... labels) throws Exception {
    int[][] ids = HfTiny.ids(), mask = HfTiny.mask(), types = HfTiny.types();
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      lines.add("{\"input_word_ids\": " + Arrays.toString(ids[i]) + ", \"input_mask\": " + Arrays.toString(mask[i])
          + ", \"input_type_ids\": " + Arrays.toString(types[i]) + ", \"label\": " + labels[i] + "}");
    }
    Path f = dir.resolve("rows" + String.join("", labels).replace("\"", "") + ".jsonl");
    Files.write(f, lines);
    return f;
  }

  FinetuneRunConfig config(Path model, Path data, String run, String extraHead) {
    return FinetuneRunTest.config("""
        task: finetune
        model: %s
        head: {type: sequence_classification, dropout: 0.0%s}
        data: {source: jsonl, train: %s, max_seq_length: 40}
        train: {lr: 1.0e-3, warmup_steps: 0, warmup_ratio: 0, max_steps: 2, batch_size: 3, max_grad_norm: 0, seed: 1,
                log_every: 1, checkpoint_every: 0, output_dir: %s}
        """.formatted(model, extraHead, data, dir.resolve(run)));
  }

  @Test
  void aHuggingFaceHeadStartsFromItsWeights() throws Exception {
    // HF's loss of this model on these rows with labels 0, 1, 2 is golden.json seqcls.loss = 1.1093875; a fresh
    // head would start near ln 3 = 1.0986.
    FinetuneRun.Outcome o = FinetuneRunTest.run(config(HfTiny.folder("seqcls"), goldenRows("0", "1", "2"), "hf", ""));
    double golden = HfTiny.golden().get("seqcls").get("loss").asDouble();
    double first = FinetuneRunTest.losses(dir.resolve("hf")).get(0);
    assertTrue(Math.abs(first - golden) / golden < 1e-5, "first loss " + first + ", HF " + golden);
    assertTrue(FinetuneRunTest.out.contains("head of " + HfTiny.folder("seqcls") + " further (num_labels 3)"),
        FinetuneRunTest.out);
    try (TaskModel m = TaskModelFiles.load(o.modelDir())) {
      assertEquals(List.of("0", "1", "2"), m.labelNames(), "the data's labels replace HF's LABEL_i placeholders");
    }
  }

  @Test
  void aSavedJbertModelGoesOnTraining() throws Exception {
    Path rows = goldenRows("\"b\"", "\"c\"", "\"a\"");
    FinetuneRun.Outcome first = FinetuneRunTest.run(config(HfTiny.folder("seqcls"), rows, "one", ""));
    double saved;
    try (TaskModel m = TaskModelFiles.load(first.modelDir());
        Batch b = Batch.classification(HfTiny.ids(), HfTiny.mask(), HfTiny.types(), new int[] {1, 2, 0})) {
      assertEquals(List.of("a", "b", "c"), m.labelNames());
      saved = m.loss(b);
    }
    // The rows' labels b, c, a are the saved head's own names (ids 1, 2, 0), so the second run keeps its label map.
    FinetuneRunTest.run(config(first.modelDir(), rows, "two", ", num_labels: 3"));
    double again = FinetuneRunTest.losses(dir.resolve("two")).get(0);
    assertEquals(saved, again, 1e-6, "the second run starts where the first stopped");
  }

  @Test
  void aNumLabelsMismatchWithTheImportedHeadIsOneLine() throws Exception {
    Path seqcls = HfTiny.folder("seqcls");
    JbertException e = assertThrows(JbertException.class, () -> FinetuneRunTest.run(config(seqcls,
        goldenRows("0", "1", "2"), "n", ", num_labels: 2")));
    assertTrue(e.getMessage().contains("has num_labels 3 but head.num_labels is 2"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
    Path two = goldenRows("0", "1", "1");
    e = assertThrows(JbertException.class, () -> FinetuneRunTest.run(config(seqcls, two, "m", "")));
    assertEquals(seqcls + ": the imported head has num_labels 3 but the training data (" + two + ") has 2 labels"
        + " [0, 1]; expected 3 labels, or an encoder-only model for a fresh head", e.getMessage());
  }

  @Test
  void theHeadTypeMustMatchTheStoredHead() throws Exception {
    FinetuneRunConfig c = FinetuneRunTest.config("""
        task: finetune
        model: %s
        head: {type: token_classification}
        data: {source: conll, train: %s}
        train: {output_dir: %s}
        """.formatted(HfTiny.folder("seqcls"), dir.resolve("none.conll"), dir.resolve("t")));
    JbertException e = assertThrows(JbertException.class, () -> FinetuneRunTest.run(c));
    assertEquals(HfTiny.folder("seqcls") + ": the model holds a sequence_classification head but head.type is"
        + " token_classification; expected the same type to fine-tune that head further", e.getMessage());
  }
}
