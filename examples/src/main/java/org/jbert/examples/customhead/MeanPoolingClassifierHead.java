package org.jbert.examples.customhead;

import java.util.List;
import org.jbert.core.graph.EncoderOutputs;
import org.jbert.core.graph.Ops;
import org.jbert.core.weights.CheckpointNames;
import org.jbert.finetune.head.HeadContext;
import org.jbert.finetune.head.HeadOutputs;
import org.jbert.finetune.head.Labels;
import org.jbert.finetune.head.Losses;
import org.jbert.finetune.head.TaskHead;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A custom head written outside the finetune module, as a user would: sequence classification on the mean of the
 * real tokens' sequence output (padding excluded) instead of the pooled [CLS] vector.
 *
 * <p>{@code pooled = sum_t(mask[b,t] x[b,t,:]) / sum_t(mask[b,t])} [B,H], dropout, then
 * {@code logits = pooled W^T + b} [B,C] with {@code mean_pooling_classifier/output_weights} [C,H] and
 * {@code mean_pooling_classifier/output_bias} [C]; softmax cross-entropy on labels int [B].
 *
 * <p>Registered by name ({@value #TYPE}) through {@code META-INF/services/org.jbert.finetune.head.TaskHead} in this
 * module's resources, so {@code head.type: mean_pooling_classifier} in a run config and
 * {@code TaskHeads.get("mean_pooling_classifier")} find it, and saved models with this head load again.
 */
public final class MeanPoolingClassifierHead implements TaskHead {
  public static final String TYPE = "mean_pooling_classifier";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public String scope() {
    return TYPE;
  }

  @Override
  public List<CheckpointNames> weights(HeadContext ctx) {
    return CheckpointNames.customOutputLayer(scope(), ctx.hidden(), ctx.numLabels());
  }

  @Override
  public List<Labels.Spec> labels(HeadContext ctx) {
    return List.of(new Labels.Spec(Labels.LABELS, DataType.INT, -1));
  }

  @Override
  public HeadOutputs build(SameDiff sd, EncoderOutputs enc, HeadContext ctx) {
    List<CheckpointNames> w = weights(ctx);
    SDVariable weights = sd.var(w.get(0).canonical(), ctx.dtype(), w.get(0).shape());
    SDVariable bias = sd.var(w.get(1).canonical(), ctx.dtype(), w.get(1).shape());
    SDVariable mask = sd.expandDims(sd.castTo(enc.inputMask(), ctx.dtype()), 2); // [B,T,1]
    SDVariable summed = enc.sequenceOutput().mul(mask).sum(1); // [B,H]
    SDVariable pooled = summed.div(mask.sum(1)); // [B,H] / [B,1]
    SDVariable logits = Ops.outputLayer(ctx.dropout(pooled, enc), weights, bias); // [B,C]
    return HeadOutputs.logits(sd.identity(HeadOutputs.LOGITS, logits), ctx);
  }

  @Override
  public SDVariable loss(SameDiff sd, HeadOutputs out, Labels labels) {
    return Losses.softmaxCrossEntropy(out.get(HeadOutputs.LOGITS), labels.get(Labels.LABELS),
        out.context().numLabels());
  }
}
