package org.jbert.finetune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.jbert.finetune.head.QuestionAnsweringHead;
import org.jbert.finetune.head.SequenceClassificationHead;
import org.jbert.finetune.head.TokenClassificationHead;
import org.jbert.testing.HfTiny;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Golden parity of the three built-in heads against Hugging Face transformers 5.17.0 (golden.json of the
 * hf-tiny-bert fixture: BertForSequenceClassification / BertForTokenClassification / BertForQuestionAnswering run
 * in float32 on CPU with the golden inputs and labels). Logits within 1e-4 max abs, losses within 1e-5 relative.
 */
class HfTaskParityTest {
  private static final double LOGITS_ATOL = 1e-4;
  private static final double LOSS_RTOL = 1e-5;

  @Test
  void sequenceClassificationMatchesHf() {
    JsonNode g = HfTiny.golden().get("seqcls");
    try (TaskModel m = TaskModelFiles.fromHuggingFace(HfTiny.folder("seqcls"));
        Batch b = Batch.classification(HfTiny.ids(), HfTiny.mask(), HfTiny.types(),
            HfTiny.ints1(g.get("labels")))) {
      assertEquals(SequenceClassificationHead.TYPE, m.head().type());
      assertEquals(3, m.context().numLabels());
      assertEquals(java.util.List.of("LABEL_0", "LABEL_1", "LABEL_2"), m.labelNames());
      assertTrue(m.importReport().orElseThrow().complete(), m.importReport().orElseThrow().summary());
      checkLogits("seqcls", m, Map.of("logits", g.get("logits")), new long[] {3, 3});
      checkLoss("seqcls", m.loss(b), g.get("loss").asDouble());
    }
  }

  @Test
  void tokenClassificationMatchesHf() {
    JsonNode g = HfTiny.golden().get("tokcls");
    try (TaskModel m = TaskModelFiles.fromHuggingFace(HfTiny.folder("tokcls"));
        Batch b = Batch.tagging(HfTiny.ids(), HfTiny.mask(), HfTiny.types(), HfTiny.ints(g.get("labels")))) {
      assertEquals(TokenClassificationHead.TYPE, m.head().type());
      assertEquals(5, m.context().numLabels());
      assertTrue(m.importReport().orElseThrow().complete(), m.importReport().orElseThrow().summary());
      checkLogits("tokcls", m, Map.of("logits", g.get("logits")), new long[] {3, 16, 5});
      checkLoss("tokcls", m.loss(b), g.get("loss").asDouble());
    }
  }

  @Test
  void questionAnsweringMatchesHf() {
    JsonNode g = HfTiny.golden().get("qa");
    try (TaskModel m = TaskModelFiles.fromHuggingFace(HfTiny.folder("qa"));
        Batch b = Batch.spans(HfTiny.ids(), HfTiny.mask(), HfTiny.types(),
            HfTiny.ints1(g.get("start_positions")), HfTiny.ints1(g.get("end_positions")))) {
      assertEquals(QuestionAnsweringHead.TYPE, m.head().type());
      assertTrue(m.importReport().orElseThrow().complete(), m.importReport().orElseThrow().summary());
      checkLogits("qa", m, Map.of("start_logits", g.get("start_logits"), "end_logits", g.get("end_logits")),
          new long[] {3, 16});
      checkLoss("qa", m.loss(b), g.get("loss").asDouble());
    }
  }

  private static void checkLogits(String task, TaskModel m, Map<String, JsonNode> golden, long[] shape) {
    Map<String, INDArray> out = m.predict(HfTiny.ids(), HfTiny.mask(), HfTiny.types());
    assertEquals(golden.keySet(), out.keySet());
    for (Map.Entry<String, JsonNode> e : golden.entrySet()) {
      INDArray a = out.get(e.getKey());
      assertArrayEquals(shape, a.shape(), task + " " + e.getKey() + " shape");
      double diff = HfTiny.maxAbsDiff(a.dup().data().asDouble(), HfTiny.flat(e.getValue()));
      System.out.printf("%s %s max abs diff vs HF: %.3g%n", task, e.getKey(), diff);
      assertTrue(diff <= LOGITS_ATOL, task + " " + e.getKey() + " max abs diff " + diff);
    }
    out.values().forEach(INDArray::close);
  }

  private static void checkLoss(String task, double loss, double golden) {
    double rel = Math.abs(loss - golden) / Math.abs(golden);
    System.out.printf("%s loss %.8f vs HF %.8f, relative diff %.3g%n", task, loss, golden, rel);
    assertTrue(rel <= LOSS_RTOL, task + " loss " + loss + " vs HF " + golden + " relative diff " + rel);
  }
}
