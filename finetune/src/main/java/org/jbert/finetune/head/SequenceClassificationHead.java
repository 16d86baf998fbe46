package org.jbert.finetune.head;

import java.util.List;
import java.util.Optional;
import org.jbert.core.graph.EncoderOutputs;
import org.jbert.core.graph.Ops;
import org.jbert.core.weights.CheckpointNames;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Classification or regression of a whole sequence (or pair), as google-research/bert's run_classifier.py
 * {@code create_model} and HF's {@code BertForSequenceClassification}: dropout on the pooled output [B,H], then
 * {@code logits = pooled x output_weights^T + output_bias} [B,C]. Variables (root scope, as run_classifier):
 * {@code output_weights} [C,H], {@code output_bias} [C] (HF {@code classifier.weight}/{@code .bias}).
 *
 * <p>Loss by {@link HeadContext#problemType()}: softmax cross-entropy (labels int [B]), mean squared error
 * (C = 1, labels float [B]), or sigmoid binary cross-entropy (labels float [B,C] of 0/1).
 */
public final class SequenceClassificationHead implements TaskHead {
  public static final String TYPE = "sequence_classification";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public String scope() {
    return "";
  }

  @Override
  public boolean usesPooler() {
    return true;
  }

  @Override
  public Optional<String> huggingFaceArchitecture() {
    return Optional.of("BertForSequenceClassification");
  }

  @Override
  public List<CheckpointNames> weights(HeadContext ctx) {
    return CheckpointNames.sequenceClassifier(ctx.hidden(), ctx.numLabels());
  }

  @Override
  public List<Labels.Spec> labels(HeadContext ctx) {
    return switch (ctx.problemType()) {
      case SINGLE_LABEL_CLASSIFICATION -> List.of(new Labels.Spec(Labels.LABELS, DataType.INT, -1));
      case REGRESSION -> List.of(new Labels.Spec(Labels.LABELS, ctx.dtype(), -1));
      case MULTI_LABEL_CLASSIFICATION -> List.of(new Labels.Spec(Labels.LABELS, ctx.dtype(), -1, ctx.numLabels()));
    };
  }

  /** Single-label class ids must lie in [0,C). */
  @Override
  public void checkLabels(String name, org.nd4j.linalg.api.ndarray.INDArray labels, HeadContext ctx) {
    if (ctx.problemType() == ProblemType.SINGLE_LABEL_CLASSIFICATION) {
      Labels.checkClassIds(name, labels, ctx.numLabels(), null);
    }
  }

  @Override
  public HeadOutputs build(SameDiff sd, EncoderOutputs enc, HeadContext ctx) {
    List<CheckpointNames> w = weights(ctx);
    SDVariable weights = sd.var(w.get(0).canonical(), ctx.dtype(), w.get(0).shape());
    SDVariable bias = sd.var(w.get(1).canonical(), ctx.dtype(), w.get(1).shape());
    SDVariable pooled = ctx.dropout(enc.pooledOutput(), enc); // [B,H]
    SDVariable logits = Ops.outputLayer(pooled, weights, bias); // [B,C]
    return HeadOutputs.logits(sd.identity(HeadOutputs.LOGITS, logits), ctx);
  }

  @Override
  public SDVariable loss(SameDiff sd, HeadOutputs out, Labels labels) {
    SDVariable logits = out.get(HeadOutputs.LOGITS);
    SDVariable y = labels.get(Labels.LABELS);
    return switch (out.context().problemType()) {
      case SINGLE_LABEL_CLASSIFICATION -> Losses.softmaxCrossEntropy(logits, y, out.context().numLabels());
      case REGRESSION -> Losses.meanSquaredError(sd.reshape(logits, -1), y);
      case MULTI_LABEL_CLASSIFICATION -> Losses.sigmoidCrossEntropy(logits, y);
    };
  }
}
