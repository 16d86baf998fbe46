package org.jbert.core.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A tiny SameDiff classifier for trainer tests (test code only; real graphs live in the graph package):
 * x [B,4] -> tanh(x W1 + b1) [B,8] -> inverted dropout (from random().uniform, as jbert's BERT graph builds it)
 * -> h W2 + b2 [B,3] -> mean softmax cross-entropy. Gradients come from {@code calculateGradientsAndOutputs}, the way
 * the BERT graph implements {@link Trainable}.
 */
final class TinyMlp implements Trainable<TinyMlp.Batch>, AutoCloseable {
  static final int IN = 4, HIDDEN = 8, CLASSES = 3;
  static final String[] PARAMS = {"hidden/kernel", "hidden/bias", "out/kernel", "out/bias"};

  record Batch(INDArray x, INDArray labels) {}

  private final SameDiff sd = SameDiff.create();
  private final Map<String, INDArray> params = new LinkedHashMap<>();

  TinyMlp(long initSeed, int batch, double dropout) {
    Nd4j.getRandom().setSeed(initSeed);
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, batch, IN);
    SDVariable y = sd.placeHolder("labels", DataType.FLOAT, batch, CLASSES);
    SDVariable w1 = sd.var(PARAMS[0], Nd4j.randn(DataType.FLOAT, IN, HIDDEN).muli(0.5));
    SDVariable b1 = sd.var(PARAMS[1], Nd4j.zeros(DataType.FLOAT, HIDDEN));
    SDVariable w2 = sd.var(PARAMS[2], Nd4j.randn(DataType.FLOAT, HIDDEN, CLASSES).muli(0.5));
    SDVariable b2 = sd.var(PARAMS[3], Nd4j.zeros(DataType.FLOAT, CLASSES));
    SDVariable h = sd.math().tanh(x.mmul(w1).add(b1));
    if (dropout > 0) {
      SDVariable keep = sd.random().uniform(0, 1, DataType.FLOAT, batch, HIDDEN).gte(dropout).castTo(DataType.FLOAT);
      h = h.mul(keep).div(1 - dropout);
    }
    SDVariable logits = h.mmul(w2).add(b2);
    sd.loss().softmaxCrossEntropy("loss", y, logits, null);
    sd.setLossVariables("loss");
    for (String p : PARAMS) params.put(p, sd.getVariable(p).getArr());
  }

  @Override
  public Map<String, INDArray> parameters() {
    return params;
  }

  @Override
  public LossAndGradients lossAndGradients(Batch b) {
    OutAndGrad r = sd.calculateGradientsAndOutputs(Map.of("x", b.x(), "labels", b.labels()), List.of("loss"),
        List.of(PARAMS));
    return new LossAndGradients(r.getOutputs().get("loss").getDouble(0), r.getGradients());
  }

  @Override
  public void close() {
    // SameDiff M2.1 has no close(); release the variable arrays we created
    for (INDArray a : params.values()) a.close();
  }

  /** n examples, labels = argmax of a fixed linear map of x (learnable), from a fixed seed. */
  static BatchSource<Batch> data(int n) {
    java.util.Random r = new java.util.Random(11);
    float[][] xs = new float[n][IN];
    int[] ys = new int[n];
    for (int i = 0; i < n; i++) {
      double best = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < IN; j++) xs[i][j] = (float) r.nextGaussian();
      for (int c = 0; c < CLASSES; c++) {
        double s = xs[i][c] - 0.5 * xs[i][(c + 1) % IN] + 0.3 * xs[i][3];
        if (s > best) {
          best = s;
          ys[i] = c;
        }
      }
    }
    return new BatchSource<>() {
      @Override
      public int size() {
        return n;
      }

      @Override
      public Batch batch(int[] idx) {
        float[] x = new float[idx.length * IN];
        float[] y = new float[idx.length * CLASSES];
        for (int i = 0; i < idx.length; i++) {
          System.arraycopy(xs[idx[i]], 0, x, i * IN, IN);
          y[i * CLASSES + ys[idx[i]]] = 1f;
        }
        return new Batch(Nd4j.create(x, new long[] {idx.length, IN}, 'c'),
            Nd4j.create(y, new long[] {idx.length, CLASSES}, 'c'));
      }
    };
  }
}
