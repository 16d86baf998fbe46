package org.jbert.core.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jbert.core.graph.BertGraph;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A SameDiff graph built on {@link BertGraph} (an encoder with heads and a scalar loss) as a {@link Trainable}: every
 * trainable variable is a parameter, and one call runs forward and backward in training mode (dropout on) through
 * {@code calculateGradientsAndOutputs}, then switches the graph back to inference. Construction makes {@code loss}
 * the graph's only loss variable.
 *
 * @param <B> the batch type; {@code placeholders} turns a batch into the graph's input arrays (closed after use)
 */
public final class GraphTrainable<B> implements Trainable<B> {
  private final SameDiff sd;
  private final String loss;
  private final Function<B, Map<String, INDArray>> placeholders;
  private final List<String> names;
  private final Map<String, INDArray> params = new LinkedHashMap<>();

  /**
   * @param sd the graph
   * @param loss the name of its scalar loss variable
   * @param placeholders the graph inputs of a batch
   */
  public GraphTrainable(SameDiff sd, String loss, Function<B, Map<String, INDArray>> placeholders) {
    this.sd = sd;
    this.loss = loss;
    this.placeholders = placeholders;
    sd.setLossVariables(loss);
    List<String> n = new ArrayList<>();
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE) {
        n.add(v.name());
        params.put(v.name(), v.getArr());
      }
    }
    this.names = List.copyOf(n);
  }

  @Override
  public Map<String, INDArray> parameters() {
    return params;
  }

  @Override
  public LossAndGradients lossAndGradients(B batch) {
    Map<String, INDArray> ph = placeholders.apply(batch);
    try {
      BertGraph.setTraining(sd, true);
      OutAndGrad r = sd.calculateGradientsAndOutputs(ph, List.of(loss), names);
      INDArray l = r.getOutputs().get(loss);
      double v = l.getDouble(0);
      l.close();
      return new LossAndGradients(v, new LinkedHashMap<>(r.getGradients()));
    } finally {
      BertGraph.setTraining(sd, false);
      ph.values().forEach(INDArray::close);
    }
  }
}
