package org.jbert.finetune.head;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The losses of the task heads, with PyTorch's semantics (HF {@code BertFor...} models compute them with
 * {@code CrossEntropyLoss}, {@code MSELoss}, {@code BCEWithLogitsLoss}, all with mean reduction). Shared by built-in
 * and custom heads.
 */
public final class Losses {
  private Losses() {}

  /**
   * Softmax cross-entropy averaged over the rows whose label is a class: logits [K,C], labels int [K]. A row whose
   * label lies outside [0,C) (HF's ignore index -100 for tagging; T for clamped QA positions) contributes nothing
   * and is not counted; with no counted row the loss is 0 (PyTorch would give NaN).
   *
   * @param numClasses C as a scalar int variable (may be dynamic, e.g. T for QA)
   */
  public static SDVariable softmaxCrossEntropy(SDVariable logits, SDVariable labels, SDVariable numClasses) {
    SameDiff sd = logits.getSameDiff();
    DataType dt = logits.dataType();
    // [1,C]: both operands of the comparison are rank 2. libnd4j M2.1 treats a length-1 operand ([1,1] when K = 1,
    // i.e. a batch of one row) as a scalar and sizes the result like the other one, [C], then fails to broadcast.
    SDVariable classes = sd.expandDims(sd.range(sd.constant(0), sd.castTo(numClasses, DataType.INT), sd.constant(1),
        DataType.INT), 0); // [1,C]
    SDVariable oneHot = sd.castTo(sd.expandDims(sd.castTo(labels, DataType.INT), 1).eq(classes), dt); // [K,C]
    SDVariable logProbs = logSoftmax(logits); // [K,C]
    SDVariable total = oneHot.mul(logProbs).sum().neg();
    SDVariable count = sd.math().max(oneHot.sum(), sd.constant(org.nd4j.linalg.factory.Nd4j.scalar(dt, 1.0)));
    return total.div(count);
  }

  /**
   * log(softmax(x)) over the last axis of x [K,C], as {@code x - max - log(sum(exp(x - max)))}. Built from basic ops
   * because SameDiff 1.0.0-M2.1's {@code nn().logSoftmax} cannot be cloned when the gradient graph is built ("Error
   * setting property for function LogSoftMax").
   */
  public static SDVariable logSoftmax(SDVariable x) {
    SameDiff sd = x.getSameDiff();
    SDVariable shifted = x.sub(sd.max(x, true, 1));
    return shifted.sub(sd.math().log(sd.math().exp(shifted).sum(true, 1)));
  }

  /** {@link #softmaxCrossEntropy(SDVariable, SDVariable, SDVariable)} with a fixed number of classes C. */
  public static SDVariable softmaxCrossEntropy(SDVariable logits, SDVariable labels, int numClasses) {
    return softmaxCrossEntropy(logits, labels, logits.getSameDiff().constant(numClasses));
  }

  /** Mean squared error over all elements: predictions and targets of one shape (e.g. [B]). */
  public static SDVariable meanSquaredError(SDVariable predictions, SDVariable targets) {
    SDVariable d = predictions.sub(predictions.getSameDiff().castTo(targets, predictions.dataType()));
    return d.mul(d).mean();
  }

  /**
   * Sigmoid binary cross-entropy from logits averaged over all elements (PyTorch {@code BCEWithLogitsLoss}):
   * {@code max(x,0) - x*y + log(1 + exp(-|x|))}; logits and targets [B,C], targets in [0,1].
   */
  public static SDVariable sigmoidCrossEntropy(SDVariable logits, SDVariable targets) {
    SameDiff sd = logits.getSameDiff();
    SDVariable y = sd.castTo(targets, logits.dataType());
    SDVariable stable = sd.math().log1p(sd.math().exp(sd.math().abs(logits).neg()));
    return sd.nn().relu(logits, 0).sub(logits.mul(y)).add(stable).mean();
  }
}
