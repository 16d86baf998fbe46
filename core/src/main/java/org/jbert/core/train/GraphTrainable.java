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
    sd.addListeners(new ReleaseDuringBackward());
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
   * Gives this thread's session of {@code graph} a memory manager that frees released arrays at once
   * ({@link ClosingMemoryMgr}). SameDiff's default (ArrayCacheMemoryMgr) keeps them for reuse up to a share of the
   * physical-memory limit, per session; with the forward and the gradient sessions of BERT-base that cache alone
   * approaches the limit, and it stays reachable, so no garbage collection can free it. Graphs with fused ops get a
   * {@link org.jbert.core.kernels.KernelSession}.
   */
  private static void uncachedSession(SameDiff graph) {
    InferenceSession s = org.jbert.core.kernels.KernelRuntime.newSession(graph);
    s.setMmgr(new ClosingMemoryMgr());
    graph.getSessions().put(Thread.currentThread().getId(), s);
  }

  /**
   * Frees every array the gradient session still holds after a step except the parameters, the placeholders and the
   * gradients handed to the caller (and any array sharing their memory). SameDiff M2.1 releases nothing while it runs
   * the gradient function ({@code nodeValueOutputs} held 2,403 arrays, 10.0 GB, after one BERT-base step at B=8), and
   * it drops them only when the next step starts, so without this two steps' activations were alive at once
   * (19-20 GB RSS at B=8).
   */
  private void freeIntermediates(java.util.Collection<INDArray> grads, java.util.Collection<INDArray> inputs) {
    SameDiff gradFn = sd.getFunction(GRAD_FUNCTION);
    InferenceSession s = gradFn == null ? null : gradFn.getSessions().get(Thread.currentThread().getId());
    if (s == null) return;
    java.util.Set<Object> keep = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    java.util.function.Consumer<INDArray> hold = a -> {
      if (a == null) return;
      keep.add(a);
      if (a.data() != null) {
        keep.add(a.data());
        if (a.data().underlyingDataBuffer() != null) keep.add(a.data().underlyingDataBuffer());
        if (a.data().originalDataBuffer() != null) keep.add(a.data().originalDataBuffer());
      }
    };
    for (SameDiff g : List.of(sd, gradFn)) {
      for (SDVariable v : g.variables()) {
        if (v.getVariableType() == VariableType.VARIABLE || v.getVariableType() == VariableType.CONSTANT) {
          hold.accept(v.getArr());
        }
      }
    }
    grads.forEach(hold);
    inputs.forEach(hold);
    for (org.nd4j.autodiff.samediff.config.SDValue value : s.getNodeValueOutputs().values()) {
      List<INDArray> arrays = value.getSdValueType() == org.nd4j.autodiff.samediff.config.SDValueType.LIST
          ? value.getListValue() : java.util.Collections.singletonList(value.getTensorValue());
      for (INDArray a : arrays) {
        if (a == null || a.wasClosed() || !a.closeable() || keep.contains(a) || a.data() == null) continue;
        if (keep.contains(a.data()) || keep.contains(a.data().underlyingDataBuffer())
            || keep.contains(a.data().originalDataBuffer())) {
          continue;
        }
        a.close();
      }
    }
    s.getNodeValueOutputs().clear();
    // and the ids of the arrays the step released, which M2.1 keeps for the session's life (see JbertSession)
    for (SameDiff g : List.of(sd, gradFn)) {
      if (g.getSessions().get(Thread.currentThread().getId()) instanceof org.jbert.core.kernels.JbertSession j) {
        j.endStep();
      }
    }
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
      Map<String, INDArray> grads = new LinkedHashMap<>(r.getGradients());
      freeIntermediates(grads.values(), ph.values());
      if (!l.wasClosed()) l.close();
      return new LossAndGradients(v, grads);
    } finally {
      BertGraph.setTraining(sd, false);
      release.accept(ph);
    }
  }
}
