package org.jbert.pretraining;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jbert.core.config.Activation;
import org.jbert.core.config.BertConfig;
import org.jbert.core.graph.BertGraph;
import org.jbert.pretraining.heads.PretrainingHeads;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * SameDiff.fit on total_loss through the gathered masked positions (the stock gather's backward fails inside fit in
 * M2.1; the heads use the encoder's EmbeddingGather): a few Adam steps on one batch lower both losses.
 */
class PretrainingFitTest {
  @Test
  void fitLowersMlmAndNspLoss() {
    BertConfig c = new BertConfig(30, 16, 2, 2, 32, Activation.GELU_TANH, 0.1, 0.1, 12, 2, 0.02, 1e-12);
    int[][] ids = {{2, 4, 9, 1, 3, 7, 3}, {2, 11, 1, 5, 3, 0, 0}};
    int[][] mask = {{1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 0, 0}};
    int[][] types = {{0, 0, 0, 0, 0, 1, 1}, {0, 0, 0, 0, 0, 0, 0}};
    int[][] positions = {{3, 5}, {2, 0}};
    int[][] labels = {{14, 20}, {17, 0}};
    float[][] weights = {{1, 1}, {1, 0}};
    int[] nsp = {1, 0};
    try (PretrainingModel m = PretrainingModel.random(c, 4)) {
      SameDiff sd = m.sameDiff();
      PretrainingBatch batch = new PretrainingBatch(ids, mask, types, positions, labels, weights, nsp);
      PretrainingLoss before = m.loss(batch);
      m.heads().totalLoss().markAsLoss();
      sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(1e-2))
          .dataSetFeatureMapping(BertGraph.INPUT_WORD_IDS, BertGraph.INPUT_MASK, BertGraph.INPUT_TYPE_IDS,
              PretrainingHeads.MASKED_LM_POSITIONS, PretrainingHeads.MASKED_LM_IDS, PretrainingHeads.MASKED_LM_WEIGHTS,
              PretrainingHeads.NEXT_SENTENCE_LABELS)
          .markLabelsUnused().build());
      MultiDataSet ds = new MultiDataSet(new INDArray[] {Nd4j.createFromArray(ids), Nd4j.createFromArray(mask),
          Nd4j.createFromArray(types), Nd4j.createFromArray(positions), Nd4j.createFromArray(labels),
          Nd4j.createFromArray(weights), Nd4j.createFromArray(nsp)}, new INDArray[0]);
      BertGraph.setTraining(sd, true);
      for (int i = 0; i < 40; i++) sd.fit(ds);
      BertGraph.setTraining(sd, false);
      PretrainingLoss after = m.loss(batch);
      System.out.printf("pretraining fit: mlm %.4f -> %.4f, nsp %.4f -> %.4f%n", before.mlm(), after.mlm(),
          before.nsp(), after.nsp());
      assertTrue(after.mlm() < before.mlm() * 0.5, before + " -> " + after);
      assertTrue(after.nsp() < before.nsp() * 0.5, before + " -> " + after);
    }
  }
}
