package org.jbert.core.train;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jbert.core.graph.BertGraph;
import org.jbert.core.graph.DropoutSeeds;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.memory.NoOpMemoryMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A SameDiff graph built on {@link BertGraph} (an encoder with heads and a scalar loss) as a {@link Trainable}: every
 * trainable variable is a parameter, and one call runs forward and backward in training mode (dropout on) through
 * {@code calculateGradientsAndOutputs}, then switches the graph back to inference. Construction makes {@code loss}
 * the graph's only loss variable.
 *
 * <p>Dropout masks come from {@link DropoutSeeds}: {@link #seedRandom} (which the trainer calls before every
 * micro-batch) fixes the masks of the next call, so a resumed run draws the same ones; without it each call draws
 * new masks.
 *
 * @param <B> the batch type
 */
public final class GraphTrainable<B> implements Trainable<B> {
  private final SameDiff sd;
  private final String loss;
  private final Function<B, Map<String, INDArray>> placeholders;
  private final Consumer<Map<String, INDArray>> release;
  private final DropoutSeeds seeds;
  private final List<String> names;
  private Map<String, INDArray> params;
  private Long nextSeed;

  /** As the full constructor; every placeholder array is closed after use and a new {@link DropoutSeeds} attached. */
  public GraphTrainable(SameDiff sd, String loss, Function<B, Map<String, INDArray>> placeholders) {
    this(sd, loss, placeholders, ph -> ph.values().forEach(INDArray::close), DropoutSeeds.attach(sd));
  }

  /**
   * @param sd the graph
   * @param loss the name of its scalar loss variable
   * @param placeholders the graph inputs of a batch
   * @param release frees what {@code placeholders} created (arrays the batch owns may stay open)
   * @param seeds the graph's dropout seeding listener
   */
  public GraphTrainable(SameDiff sd, String loss, Function<B, Map<String, INDArray>> placeholders,
      Consumer<Map<String, INDArray>> release, DropoutSeeds seeds) {
    this.sd = sd;
    this.loss = loss;
    this.placeholders = placeholders;
    this.release = release;
    this.seeds = seeds;
    sd.setLossVariables(loss);
    List<String> n = new ArrayList<>();
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE) n.add(v.name());
    }
    this.names = List.copyOf(n);
  }

  /** The live variable arrays, by name, in graph order; read on first use, after any weight import. */
  @Override
  public synchronized Map<String, INDArray> parameters() {
    if (params == null) {
      Map<String, INDArray> m = new LinkedHashMap<>();
      for (String n : names) m.put(n, sd.getVariable(n).getArr());
      params = java.util.Collections.unmodifiableMap(m);
    }
    return params;
  }

  /** The name under which SameDiff keeps the backward graph. */
  static final String GRAD_FUNCTION = "grad";

  /**
   * Builds the backward graph once. SameDiff M2.1 prints a line per differentiated op to standard output while doing
   * so (hundreds for BERT), which would bury the progress bar, so standard output is muted for that call only.
   */
  private void createGradFunctionQuietly() {
    PrintStream out = System.out;
    System.setOut(new PrintStream(OutputStream.nullOutputStream()));
    try {
      sd.createGradFunction();
    } finally {
      System.setOut(out);
    }
    uncachedSession(sd);
    uncachedSession(sd.getFunction(GRAD_FUNCTION));
  }

  /**
   * Gives this thread's session of {@code graph} a memory manager that does not cache released arrays. SameDiff's
   * default (ArrayCacheMemoryMgr) keeps released arrays for reuse up to a share of the physical-memory limit, per
   * session; with the forward and the gradient sessions of BERT-base that cache alone approaches the limit, and it
   * stays reachable, so no garbage collection can free it.
   */
  private static void uncachedSession(SameDiff graph) {
    InferenceSession s = new InferenceSession(graph);
    s.setMmgr(new NoOpMemoryMgr());
    graph.getSessions().put(Thread.currentThread().getId(), s);
  }

  @Override
  public synchronized void seedRandom(long seed) {
    nextSeed = seed;
  }

  @Override
  public LossAndGradients lossAndGradients(B batch) {
    Map<String, INDArray> ph = placeholders.apply(batch);
    try {
      BertGraph.setTraining(sd, true);
      synchronized (this) {
        if (nextSeed != null) seeds.setRoot(nextSeed);
        else seeds.beginRun();
        nextSeed = null;
      }
      if (sd.getFunction(GRAD_FUNCTION) == null) createGradFunctionQuietly();
      OutAndGrad r = sd.calculateGradientsAndOutputs(ph, List.of(loss), names);
      INDArray l = r.getOutputs().get(loss);
      double v = l.getDouble(0);
      l.close();
      return new LossAndGradients(v, new LinkedHashMap<>(r.getGradients()));
    } finally {
      BertGraph.setTraining(sd, false);
      release.accept(ph);
    }
  }
}
