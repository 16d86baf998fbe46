package org.jbert.core.graph;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;
import org.jbert.core.config.BertConfig;
import org.jbert.core.weights.HuggingFaceSource;
import org.jbert.core.weights.WeightImporter;
import org.jbert.testing.HfTiny;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Forward parity with Hugging Face: the graph with the HF tiny BERT's weights must reproduce HF's outputs
 * (golden.json, HF transformers 5.17.0, float32 CPU; see hf-tiny-bert/README.md) to 1e-4 at every position,
 * padded ones included (HF's dtype-min mask and Google's -10000 give the same softmax).
 */
class BertGraphParityTest {
  static final double TOL = 1e-4;

  @Test
  void matchesHuggingFaceAtEveryLayer() {
    JsonNode g = HfTiny.golden();
    try (HuggingFaceSource src = HuggingFaceSource.open(HfTiny.folder())) {
      BertConfig c = src.config().orElseThrow();
      SameDiff sd = SameDiff.create();
      BertGraph.build(sd, c);
      System.out.println(WeightImporter.load(sd, src, false).summary());
      Map<String, INDArray> ph = new HashMap<>();
      ph.put(BertGraph.INPUT_WORD_IDS, Nd4j.createFromArray(HfTiny.ints(g.get("input_ids"))));
      ph.put(BertGraph.INPUT_MASK, Nd4j.createFromArray(HfTiny.ints(g.get("attention_mask"))));
      ph.put(BertGraph.INPUT_TYPE_IDS, Nd4j.createFromArray(HfTiny.ints(g.get("token_type_ids"))));
      String[] outs = new String[c.numHiddenLayers() + 3];
      outs[0] = BertGraph.EMBEDDING_OUTPUT;
      for (int l = 0; l < c.numHiddenLayers(); l++) outs[l + 1] = BertGraph.encoderOutputName(l);
      outs[outs.length - 2] = BertGraph.SEQUENCE_OUTPUT;
      outs[outs.length - 1] = BertGraph.POOLED_OUTPUT;
      Map<String, INDArray> r = sd.output(ph, outs);
      JsonNode hs = g.get("bert").get("hidden_states");
      for (int l = 0; l <= c.numHiddenLayers(); l++) {
        double d = HfTiny.maxAbsDiff(vals(r.get(outs[l])), HfTiny.flat(hs.get(l)));
        System.out.printf("parity %s max abs diff %.3g%n", outs[l], d);
        assertTrue(d <= TOL, outs[l] + " differs from HF by " + d);
      }
      double ds = HfTiny.maxAbsDiff(vals(r.get(BertGraph.SEQUENCE_OUTPUT)),
          HfTiny.flat(g.get("bert").get("sequence_output")));
      double dp = HfTiny.maxAbsDiff(vals(r.get(BertGraph.POOLED_OUTPUT)),
          HfTiny.flat(g.get("bert").get("pooled_output")));
      System.out.printf("parity sequence_output %.3g pooled_output %.3g%n", ds, dp);
      assertTrue(ds <= TOL, "sequence_output differs by " + ds);
      assertTrue(dp <= TOL, "pooled_output differs by " + dp);

    }
  }

  static double[] vals(INDArray a) {
    return a.castTo(DataType.DOUBLE).dup().data().asDouble();
  }
}
