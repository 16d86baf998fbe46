package org.jbert.finetune.head;

import java.util.List;
import java.util.Optional;
import org.jbert.core.graph.EncoderOutputs;
import org.jbert.core.graph.Ops;
import org.jbert.core.weights.CheckpointNames;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Extractive QA (SQuAD), as google-research/bert's run_squad.py {@code create_model} and HF's
 * {@code BertForQuestionAnswering}: per token {@code [start, end] = x output_weights^T + output_bias} on the sequence
 * output (no dropout, as both originals), giving {@value HeadOutputs#START_LOGITS} and {@value HeadOutputs#END_LOGITS}
 * [B,T]. Variables (scope {@value CheckpointNames#SQUAD_SCOPE}): {@code output_weights} [2,H], {@code output_bias}
 * [2] (HF {@code qa_outputs.weight}/{@code .bias}).
 *
 * <p>Loss as HF: positions int [B] are clamped to [0,T]; a position equal to T (i.e. one that was beyond the
 * sequence) is ignored; the loss is the mean of the start and end cross-entropies.
 */
public final class QuestionAnsweringHead implements TaskHead {
  public static final String TYPE = "question_answering";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public String scope() {
    return CheckpointNames.SQUAD_SCOPE;
  }

  @Override
  public Optional<String> huggingFaceArchitecture() {
    return Optional.of("BertForQuestionAnswering");
  }

  @Override
  public List<CheckpointNames> weights(HeadContext ctx) {
    return CheckpointNames.squad(ctx.hidden());
  }

  @Override
  public List<Labels.Spec> labels(HeadContext ctx) {
    return List.of(new Labels.Spec(Labels.START_POSITIONS, DataType.INT, -1),
        new Labels.Spec(Labels.END_POSITIONS, DataType.INT, -1));
  }

  @Override
  public HeadOutputs build(SameDiff sd, EncoderOutputs enc, HeadContext ctx) {
    List<CheckpointNames> w = weights(ctx);
    SDVariable weights = sd.var(w.get(0).canonical(), ctx.dtype(), w.get(0).shape());
    SDVariable bias = sd.var(w.get(1).canonical(), ctx.dtype(), w.get(1).shape());
    SDVariable logits = Ops.outputLayer(enc.sequenceOutput2d(), weights, bias); // [B*T,2]
    SDVariable bt = sd.shape(enc.inputWordIds());
    SDVariable start = sd.reshape(HeadOutputs.START_LOGITS,
        logits.get(SDIndex.all(), SDIndex.point(0)), sd.castTo(bt, DataType.LONG)); // [B,T]
    SDVariable end = sd.reshape(HeadOutputs.END_LOGITS,
        logits.get(SDIndex.all(), SDIndex.point(1)), sd.castTo(bt, DataType.LONG)); // [B,T]
    java.util.Map<String, SDVariable> m = new java.util.LinkedHashMap<>();
    m.put(HeadOutputs.START_LOGITS, start);
    m.put(HeadOutputs.END_LOGITS, end);
    return new HeadOutputs(m, ctx);
  }

  @Override
  public SDVariable loss(SameDiff sd, HeadOutputs out, Labels labels) {
    SDVariable start = out.get(HeadOutputs.START_LOGITS);
    SDVariable end = out.get(HeadOutputs.END_LOGITS);
    SDVariable t = sd.castTo(sd.sizeAt(start, 1), DataType.INT); // T, also HF's ignored_index
    SDVariable startLoss = Losses.softmaxCrossEntropy(start, clamp(sd, labels.get(Labels.START_POSITIONS), t), t);
    SDVariable endLoss = Losses.softmaxCrossEntropy(end, clamp(sd, labels.get(Labels.END_POSITIONS), t), t);
    return startLoss.add(endLoss).div(2.0);
  }

  /** positions.clamp(0, T): a negative position becomes 0, one past the sequence becomes T (ignored). */
  private static SDVariable clamp(SameDiff sd, SDVariable positions, SDVariable t) {
    SDVariable p = sd.castTo(positions, DataType.INT);
    return sd.math().min(sd.math().max(p, sd.constant(0)), t);
  }
}
