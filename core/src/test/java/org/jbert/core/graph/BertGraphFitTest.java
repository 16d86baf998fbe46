package org.jbert.core.graph;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jbert.core.config.Activation;
import org.jbert.core.config.BertConfig;
import org.jbert.core.model.BertModel;
import org.jbert.core.weights.CheckpointNames;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * SameDiff.fit trains every variable, embedding tables included (the stock gather's backward fails inside fit in
 * 1.0.0-M2.1), with dropout switched on through the training constant.
 */
class BertGraphFitTest {
  @Test
  void fitUpdatesEmbeddingTablesAndLowersLoss() {
    BertConfig c = new BertConfig(20, 16, 2, 2, 32, Activation.GELU_ERF, 0.1, 0.1, 10, 2, 0.02, 1e-12);
    try (BertModel m = BertModel.random(c, 5)) {
      SameDiff sd = m.sameDiff();
      EncoderOutputs e = m.outputs();
      SDVariable target = sd.placeHolder("target", DataType.FLOAT, -1, c.hiddenSize());
      SDVariable diff = e.pooledOutput().sub(target);
      sd.mean("loss", diff.mul(diff)).markAsLoss();
      sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(1e-2))
          .dataSetFeatureMapping(BertGraph.INPUT_WORD_IDS, BertGraph.INPUT_MASK, BertGraph.INPUT_TYPE_IDS)
          .dataSetLabelMapping("target").build());
      INDArray ids = Nd4j.createFromArray(new int[][] {{1, 4, 6, 2, 0}, {1, 7, 2, 9, 2}});
      INDArray mask = Nd4j.createFromArray(new int[][] {{1, 1, 1, 1, 0}, {1, 1, 1, 1, 1}});
      INDArray types = Nd4j.createFromArray(new int[][] {{0, 0, 0, 0, 0}, {0, 0, 0, 1, 1}});
      Nd4j.getRandom().setSeed(5);
      INDArray y = Nd4j.rand(DataType.FLOAT, 2, c.hiddenSize()).subi(0.5);
      MultiDataSet ds = new MultiDataSet(new INDArray[] {ids, mask, types}, new INDArray[] {y});
      String word = CheckpointNames.forConfig(c, CheckpointNames.Part.ENCODER).get(0).canonical();
      INDArray before = sd.getVariable(word).getArr().dup();
      double loss0 = sd.output(java.util.Map.of(BertGraph.INPUT_WORD_IDS, ids, BertGraph.INPUT_MASK, mask,
          BertGraph.INPUT_TYPE_IDS, types, "target", y), "loss").get("loss").getDouble(0);
      BertGraph.setTraining(sd, true);
      for (int i = 0; i < 30; i++) sd.fit(ds);
      BertGraph.setTraining(sd, false);
      INDArray after = sd.getVariable(word).getArr();
      double loss1 = sd.output(java.util.Map.of(BertGraph.INPUT_WORD_IDS, ids, BertGraph.INPUT_MASK, mask,
          BertGraph.INPUT_TYPE_IDS, types, "target", y), "loss").get("loss").getDouble(0);
      System.out.printf("fit: loss %.4f -> %.4f%n", loss0, loss1);
      assertTrue(loss1 < loss0 * 0.5, loss0 + " -> " + loss1);
      assertNotEquals(before.getRow(4), after.getRow(4)); // a used row moved
      assertTrue(before.getRow(15).equals(after.getRow(15)), "an unused row must not move");
    }
  }
}
