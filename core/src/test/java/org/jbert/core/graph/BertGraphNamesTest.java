package org.jbert.core.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.TreeMap;
import org.jbert.core.config.Activation;
import org.jbert.core.config.BertConfig;
import org.jbert.core.weights.CheckpointNames;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;

/** The graph's name scopes produce exactly the checkpoint names of the table, with the table's shapes. */
class BertGraphNamesTest {
  @Test
  void trainableVariablesAreTheCheckpointTable() {
    BertConfig c = new BertConfig(31, 12, 3, 3, 20, Activation.GELU_TANH, 0.1, 0.1, 17, 2, 0.02, 1e-12);
    SameDiff sd = SameDiff.create();
    EncoderOutputs out = BertGraph.build(sd, c);
    Map<String, long[]> graph = new TreeMap<>();
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE) graph.put(v.name(), v.getShape());
    }
    Map<String, long[]> table = new TreeMap<>();
    for (CheckpointNames e : CheckpointNames.forConfig(c, CheckpointNames.Part.ENCODER, CheckpointNames.Part.POOLER)) {
      table.put(e.canonical(), e.shape());
    }
    assertEquals(table.keySet(), graph.keySet());
    for (String name : table.keySet()) assertArrayEquals(table.get(name), graph.get(name), name);
    assertTrue(graph.containsKey("bert/encoder/layer_2/attention/self/query/kernel"));
    assertEquals(c.numHiddenLayers(), out.encoderOutputs().size());
    for (String n : new String[] {BertGraph.DEFAULT, BertGraph.POOLED_OUTPUT, BertGraph.SEQUENCE_OUTPUT,
        BertGraph.EMBEDDING_OUTPUT, "encoder_outputs/0", "encoder_outputs/2", BertGraph.INPUT_WORD_IDS,
        BertGraph.INPUT_MASK, BertGraph.INPUT_TYPE_IDS, BertGraph.TRAINING}) {
      assertTrue(sd.hasVariable(n), "graph has no variable " + n);
    }
  }

  @Test
  void withoutPoolerTheGraphIsTheEncoderTableOnly() {
    BertConfig c = new BertConfig(31, 12, 3, 3, 20, Activation.GELU_TANH, 0.1, 0.1, 17, 2, 0.02, 1e-12);
    SameDiff sd = SameDiff.create();
    EncoderOutputs out = BertGraph.build(sd, c, org.nd4j.linalg.api.buffer.DataType.FLOAT, false);
    java.util.Set<String> graph = new java.util.TreeSet<>();
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE) graph.add(v.name());
    }
    java.util.Set<String> table = new java.util.TreeSet<>();
    for (CheckpointNames e : CheckpointNames.forConfig(c, CheckpointNames.Part.ENCODER)) table.add(e.canonical());
    assertEquals(table, graph);
    assertEquals(null, out.pooledOutput());
    assertTrue(!sd.hasVariable(BertGraph.POOLED_OUTPUT) && !sd.hasVariable(BertGraph.DEFAULT));
    assertTrue(sd.hasVariable(BertGraph.SEQUENCE_OUTPUT));
  }
}
