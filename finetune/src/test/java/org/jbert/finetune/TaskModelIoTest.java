package org.jbert.finetune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.weights.HuggingFaceSource;
import org.jbert.core.weights.SafeTensors;
import org.jbert.finetune.head.HeadContext;
import org.jbert.finetune.head.TaskHeads;
import org.jbert.finetune.head.TokenClassificationHead;
import org.jbert.testing.HfTiny;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Save/load in jbert format, HF export, import errors and the head registry. */
class TaskModelIoTest {
  @TempDir Path tmp;

  @Test
  void jbertFolderRoundTripKeepsHeadLabelsAndOutputs() throws Exception {
    for (String task : List.of("seqcls", "tokcls", "qa")) {
      try (TaskModel m = TaskModelFiles.fromHuggingFace(HfTiny.folder(task))) {
        Path dir = tmp.resolve("jbert-" + task);
        m.save(dir);
        JsonNode head = new ObjectMapper().readTree(dir.resolve("jbert.json").toFile()).get("head");
        assertEquals(m.head().type(), head.get("type").asText());
        assertEquals(m.context().numLabels(), head.get("num_labels").asInt());
        try (TaskModel back = TaskModelFiles.load(dir)) {
          assertEquals(m.head().type(), back.head().type());
          assertEquals(m.labelNames(), back.labelNames());
          assertEquals(m.context().problemType(), back.context().problemType());
          assertSameOutputs(m, back);
        }
      }
    }
  }

  @Test
  void huggingFaceExportReimportsWithArchitectureAndLabelMap() throws Exception {
    BertConfig c = BertConfig.fromFolder(HfTiny.folder("tokcls"));
    HeadContext ctx = HeadContext.of(c, 4).withLabelNames(List.of("O", "B-PER", "I-PER", "B-LOC"));
    try (TaskModel m = TaskModel.random(new TokenClassificationHead(), ctx, 7)) {
      Path dir = tmp.resolve("hf");
      m.exportHuggingFace(dir);
      assertFalse(Files.exists(dir.resolve("jbert.json")));
      JsonNode cfg = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
      assertEquals("BertForTokenClassification", cfg.get("architectures").get(0).asText());
      assertEquals("B-PER", cfg.get("id2label").get("1").asText());
      assertEquals(2, cfg.get("label2id").get("I-PER").asInt());
      try (SafeTensors st = SafeTensors.open(dir.resolve(HuggingFaceSource.WEIGHTS_FILE))) {
        assertArrayEquals(new long[] {4, c.hiddenSize()}, st.entries().get("classifier.weight").shape());
        assertFalse(st.entries().containsKey("bert.pooler.dense.weight"), "tagging models have no pooler");
      }
      try (TaskModel back = TaskModelFiles.fromHuggingFace(dir)) {
        assertEquals(List.of("O", "B-PER", "I-PER", "B-LOC"), back.labelNames());
        assertSameOutputs(m, back);
      }
    }
  }

  @Test
  void numLabelsDifferentFromTheImportedHeadNamesBothNumbers() {
    JbertException e = assertThrows(JbertException.class,
        () -> TaskModelFiles.fromHuggingFace(HfTiny.folder("seqcls"), 5));
    assertTrue(e.getMessage().contains("num_labels 3") && e.getMessage().contains("num_labels 5"), e.getMessage());
    assertTrue(e.getMessage().contains("BertForSequenceClassification"), e.getMessage());
    try (TaskModel ok = TaskModelFiles.fromHuggingFace(HfTiny.folder("seqcls"), 3)) {
      assertEquals(3, ok.context().numLabels());
    }
  }

  @Test
  void withoutArchitecturesTheWeightsNameTheHead() throws Exception {
    // seqcls and tokcls both store classifier.*; only seqcls has a pooler. QA stores qa_outputs.*.
    Map<String, String> expected = Map.of("seqcls", "sequence_classification", "tokcls", "token_classification",
        "qa", "question_answering");
    ObjectMapper json = new ObjectMapper();
    for (Map.Entry<String, String> e : expected.entrySet()) {
      Path dir = tmp.resolve("noarch-" + e.getKey());
      Files.createDirectories(dir);
      Files.copy(HfTiny.folder(e.getKey()).resolve("model.safetensors"), dir.resolve("model.safetensors"));
      com.fasterxml.jackson.databind.node.ObjectNode cfg =
          (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(
              HfTiny.folder(e.getKey()).resolve("config.json").toFile());
      cfg.remove("architectures");
      Files.writeString(dir.resolve("config.json"), cfg.toString());
      assertEquals(e.getValue(), TaskModelFiles.huggingFaceHead(dir).orElseThrow().type(), e.getKey());
      try (TaskModel m = TaskModelFiles.fromHuggingFace(dir); TaskModel ref = TaskModelFiles.fromHuggingFace(
          HfTiny.folder(e.getKey()))) {
        assertSameOutputs(ref, m);
      }
      // An architecture that is no task head is believed: no head, even though the keys would fit one.
      cfg.putArray("architectures").add("BertForMultipleChoice");
      Files.writeString(dir.resolve("config.json"), cfg.toString());
      assertTrue(TaskModelFiles.huggingFaceHead(dir).isEmpty(), e.getKey());
      JbertException err = assertThrows(JbertException.class, () -> TaskModelFiles.fromHuggingFace(dir));
      assertTrue(err.getMessage().contains("architectures [BertForMultipleChoice] name no task head"),
          err.getMessage());
    }
  }

  @Test
  void unknownHeadTypeListsTheKnownOnes() {
    JbertException e = assertThrows(JbertException.class, () -> TaskHeads.get("sentiment"));
    assertTrue(e.getMessage().contains("'sentiment'"), e.getMessage());
    for (String t : List.of("sequence_classification", "token_classification", "question_answering")) {
      assertTrue(e.getMessage().contains(t), e.getMessage());
      assertEquals(t, TaskHeads.get(t).type());
    }
  }

  @Test
  void freshHeadOnAPretrainedEncoder() {
    BertConfig c = BertConfig.fromFolder(HfTiny.folder("seqcls"));
    try (HuggingFaceSource src = HuggingFaceSource.open(HfTiny.folder("seqcls"));
        TaskModel m = TaskModel.fromPretrained(src, new TokenClassificationHead(), HeadContext.of(c, 7), 1);
        TaskModel ref = TaskModelFiles.fromHuggingFace(HfTiny.folder("tokcls"))) {
      assertEquals(java.util.Set.of("cls/token_classification/output_weights", "cls/token_classification/output_bias"),
          java.util.Set.copyOf(m.importReport().orElseThrow().missing()));
      // The encoder is the same in both fixture folders: identical sequence outputs.
      try (Batch b = Batch.inputs(HfTiny.ids(), HfTiny.mask(), HfTiny.types())) {
        INDArray a = m.output(b, false, "sequence_output").get("sequence_output");
        INDArray r = ref.output(b, false, "sequence_output").get("sequence_output");
        assertEquals(0.0, a.sub(r).amaxNumber().doubleValue(), 0.0);
      }
      INDArray w = m.sameDiff().getVariable("cls/token_classification/output_weights").getArr();
      assertArrayEquals(new long[] {7, c.hiddenSize()}, w.shape());
      assertTrue(w.norm2Number().doubleValue() > 0, "fresh head initialized");
    }
  }

  @Test
  void labelsOfTheWrongShapeAreRejected() {
    try (TaskModel m = TaskModelFiles.fromHuggingFace(HfTiny.folder("seqcls"));
        Batch b = Batch.tagging(HfTiny.ids(), HfTiny.mask(), HfTiny.types(), new int[3][16])) {
      JbertException e = assertThrows(JbertException.class, () -> m.loss(b));
      assertTrue(e.getMessage().startsWith("labels 'labels' have shape [3, 16]"), e.getMessage());
    }
  }

  @Test
  void classIdsOutOfRangeAreRejected() {
    try (TaskModel m = TaskModelFiles.fromHuggingFace(HfTiny.folder("seqcls"));
        Batch b = Batch.classification(HfTiny.ids(), HfTiny.mask(), HfTiny.types(), new int[] {0, 3, 1})) {
      JbertException e = assertThrows(JbertException.class, () -> m.loss(b));
      assertEquals("labels 'labels' element 1 is 3; expected a class id in [0, 3)", e.getMessage());
    }
    int[][] tags = HfTiny.ints(HfTiny.golden().get("tokcls").get("labels"));
    tags[2][9] = -1;
    try (TaskModel m = TaskModelFiles.fromHuggingFace(HfTiny.folder("tokcls"));
        Batch b = Batch.tagging(HfTiny.ids(), HfTiny.mask(), HfTiny.types(), tags)) {
      JbertException e = assertThrows(JbertException.class, () -> m.loss(b));
      assertEquals("labels 'labels' element 41 is -1; expected a class id in [0, 5) or -100 (ignored)",
          e.getMessage());
    }
  }

  private static void assertSameOutputs(TaskModel a, TaskModel b) {
    Map<String, INDArray> x = a.predict(HfTiny.ids(), HfTiny.mask(), HfTiny.types());
    Map<String, INDArray> y = b.predict(HfTiny.ids(), HfTiny.mask(), HfTiny.types());
    assertEquals(x.keySet(), y.keySet());
    for (String k : x.keySet()) assertEquals(x.get(k), y.get(k), k);
  }
}
