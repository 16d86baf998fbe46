package org.jbert.core.train;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.jbert.core.JbertException;
import org.jbert.core.weights.CheckpointNames;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * AdamW with the arithmetic of {@code torch.optim.AdamW} (single-tensor CPU path, {@code amsgrad=False}), in float32,
 * updating the parameter arrays in place. Per step {@code t} (1-based) and parameter {@code p} with gradient {@code g}:
 *
 * <pre>
 *   p  *= 1 - lr*wd                                  (decoupled decay, only where {@code decays(name)})
 *   m  += (1-beta1) * (g - m)                        (torch: exp_avg.lerp_(g, 1-beta1))
 *   v   = v*beta2 + (1-beta2)*g*g                    (torch: exp_avg_sq.mul_(beta2).addcmul_(g, g, 1-beta2))
 *   denom = sqrt(v) / sqrt(1-beta2^t) + eps
 *   p  += (-lr/(1-beta1^t)) * m / denom
 * </pre>
 *
 * Scalars are computed in double and applied as float32, as torch does. The state ({@link #state()}: m, v and the
 * step count) is what a checkpoint stores; {@link #load} restores it for an exact resume.
 *
 * <p>Every parameter needs a gradient at every step (an optimizer over a frozen subset is built over that subset
 * only). Two scratch buffers the size of the largest parameter are reused across parameters and steps, so a step
 * allocates no tensor memory.
 */
public final class AdamW implements AutoCloseable {

  /**
   * Hyperparameters; {@code lr} is the peak rate used when {@link #step(Map)} is called without one.
   *
   * @param eps added to the bias-corrected sqrt(v): torch's default is 1e-8, Google's BERT used 1e-6
   */
  public record Hyper(double lr, double beta1, double beta2, double eps, double weightDecay) {
    public Hyper {
      if (!(lr >= 0) || Double.isInfinite(lr)) throw new JbertException("AdamW lr " + lr + "; expected >= 0");
      if (!(beta1 >= 0 && beta1 < 1)) throw new JbertException("AdamW beta1 " + beta1 + "; expected in [0, 1)");
      if (!(beta2 >= 0 && beta2 < 1)) throw new JbertException("AdamW beta2 " + beta2 + "; expected in [0, 1)");
      if (!(eps >= 0) || Double.isInfinite(eps)) throw new JbertException("AdamW eps " + eps + "; expected >= 0");
      if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
        throw new JbertException("AdamW weight_decay " + weightDecay + "; expected >= 0");
      }
    }

    /** torch.optim.AdamW's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0.01. */
    public static Hyper torchDefaults() {
      return new Hyper(1e-3, 0.9, 0.999, 1e-8, 0.01);
    }
  }

  /**
   * The optimizer state: the step count (optimizer steps taken) and the first and second moments by parameter name,
   * each shaped like its parameter.
   */
  public record State(long step, Map<String, INDArray> m, Map<String, INDArray> v) {}

  private final Hyper hyper;
  private final Map<String, INDArray> params;
  private final Map<String, INDArray> m = new LinkedHashMap<>();
  private final Map<String, INDArray> v = new LinkedHashMap<>();
  private final Map<String, Boolean> decays = new LinkedHashMap<>();
  private final INDArray scratch1;
  private final INDArray scratch2;
  private long step;

  /** An optimizer over {@code params} whose weight-decay exclusions follow {@link CheckpointNames#isNoDecay}. */
  public AdamW(Map<String, INDArray> params, Hyper hyper) {
    this(params, hyper, CheckpointNames::isNoDecay);
  }

  /**
   * An optimizer over {@code params} (name to live float32 array, updated in place); {@code noDecay} says which names
   * get no weight decay.
   */
  public AdamW(Map<String, INDArray> params, Hyper hyper, Predicate<String> noDecay) {
    if (params.isEmpty()) throw new JbertException("AdamW needs at least one parameter; got none");
    this.hyper = hyper;
    this.params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    long largest = 0;
    for (Map.Entry<String, INDArray> e : params.entrySet()) {
      INDArray p = e.getValue();
      if (p.dataType() != DataType.FLOAT) {
        throw new JbertException("parameter " + e.getKey() + " is " + p.dataType() + "; expected FLOAT (float32)");
      }
      m.put(e.getKey(), Nd4j.zeros(DataType.FLOAT, p.shape()));
      v.put(e.getKey(), Nd4j.zeros(DataType.FLOAT, p.shape()));
      decays.put(e.getKey(), !noDecay.test(e.getKey()));
      largest = Math.max(largest, p.length());
    }
    scratch1 = Nd4j.zeros(DataType.FLOAT, largest);
    scratch2 = Nd4j.zeros(DataType.FLOAT, largest);
  }

  public Hyper hyper() {
    return hyper;
  }

  /** Optimizer steps taken so far (torch's {@code state["step"]}). */
  public long stepCount() {
    return step;
  }

  /** True when {@code name} gets weight decay. */
  public boolean decays(String name) {
    Boolean d = decays.get(name);
    if (d == null) throw new JbertException("AdamW has no parameter " + name);
    return d;
  }

  /** The parameters this optimizer updates, in their original order. */
  public Map<String, INDArray> parameters() {
    return params;
  }

  /** One update with the configured peak learning rate. */
  public void step(Map<String, INDArray> grads) {
    step(grads, hyper.lr());
  }

  /**
   * One update of every parameter with learning rate {@code lr} (the schedule's value for this step). {@code grads}
   * must hold one float32 array per parameter, shaped like it; they are read, not modified.
   */
  public void step(Map<String, INDArray> grads, double lr) {
    for (String name : params.keySet()) {
      INDArray g = grads.get(name);
      if (g == null) throw new JbertException("no gradient for parameter " + name + " at optimizer step " + (step + 1));
      if (!Arrays.equals(g.shape(), params.get(name).shape())) {
        throw new JbertException("gradient of " + name + " has shape " + Arrays.toString(g.shape())
            + "; expected the parameter's shape " + Arrays.toString(params.get(name).shape()));
      }
    }
    step++;
    double b1 = hyper.beta1(), b2 = hyper.beta2();
    double biasCorrection1 = 1 - Math.pow(b1, step);
    double biasCorrection2 = 1 - Math.pow(b2, step);
    double stepSize = lr / biasCorrection1;
    double biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
    float decayFactor = (float) (1 - lr * hyper.weightDecay());
    float oneMinusB1 = (float) (1 - b1);
    float oneMinusB2 = (float) (1 - b2);
    for (Map.Entry<String, INDArray> e : params.entrySet()) {
      String name = e.getKey();
      INDArray p = e.getValue();
      INDArray g = grads.get(name).castTo(DataType.FLOAT);
      INDArray mm = m.get(name), vv = v.get(name);
      INDArray s1 = scratch(scratch1, p), s2 = scratch(scratch2, p);
      if (hyper.weightDecay() != 0 && decays.get(name)) p.muli(decayFactor);
      s1.assign(g).subi(mm).muli(oneMinusB1);
      mm.addi(s1);
      vv.muli((float) b2);
      s1.assign(g).muli(oneMinusB2).muli(g);
      vv.addi(s1);
      s1.assign(vv);
      Transforms.sqrt(s1, false);
      s1.divi((float) biasCorrection2Sqrt).addi((float) hyper.eps());
      s2.assign(mm).muli((float) -stepSize).divi(s1);
      p.addi(s2);
    }
  }

  private static INDArray scratch(INDArray flat, INDArray like) {
    INDArray view = flat.get(NDArrayIndex.interval(0, like.length()));
    return like.rank() == 0 ? view.reshape() : view.reshape('c', like.shape());
  }

  /** The live state (not copies): read it to checkpoint, do not modify it. */
  public State state() {
    return new State(step, Collections.unmodifiableMap(m), Collections.unmodifiableMap(v));
  }

  /**
   * Restores a state saved by {@link #state()}: the same parameter names and shapes, or an error naming the first
   * mismatch; {@code source} names where it came from in messages.
   */
  public void load(State s, String source) {
    if (s.step() < 0) throw new JbertException(source + ": optimizer step " + s.step() + "; expected >= 0");
    for (String kind : new String[] {"m", "v"}) {
      Map<String, INDArray> from = kind.equals("m") ? s.m() : s.v();
      Map<String, INDArray> to = kind.equals("m") ? m : v;
      for (String name : to.keySet()) {
        INDArray a = from.get(name);
        if (a == null) throw new JbertException(source + ": no AdamW " + kind + " for parameter " + name);
        if (!Arrays.equals(a.shape(), to.get(name).shape())) {
          throw new JbertException(source + ": AdamW " + kind + " of " + name + " has shape "
              + Arrays.toString(a.shape()) + "; expected " + Arrays.toString(to.get(name).shape()));
        }
      }
      for (String name : from.keySet()) {
        if (!to.containsKey(name)) {
          throw new JbertException(source + ": AdamW " + kind + " for unknown parameter " + name
              + "; expected only this model's parameters");
        }
      }
    }
    for (String name : m.keySet()) {
      m.get(name).assign(s.m().get(name));
      v.get(name).assign(s.v().get(name));
    }
    step = s.step();
  }

  @Override
  public void close() {
    for (INDArray a : m.values()) a.close();
    for (INDArray a : v.values()) a.close();
    scratch1.close();
    scratch2.close();
  }
}
