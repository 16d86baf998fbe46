package org.jbert.finetune.head;

import java.util.List;
import java.util.Optional;
import org.jbert.core.graph.EncoderOutputs;
import org.jbert.core.graph.Ops;
import org.jbert.core.weights.CheckpointNames;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Token tagging (NER, POS), as HF's {@code BertForTokenClassification}: dropout on the sequence output, then
 * {@code logits = x output_weights^T + output_bias} per token, [B,T,C]. Variables (scope
 * {@value CheckpointNames#TOKEN_CLASSIFICATION_SCOPE}): {@code output_weights} [C,H], {@code output_bias} [C] (HF
 * {@code classifier.weight}/{@code .bias}). Loss: softmax cross-entropy averaged over the tokens whose label is not
 * -100 (labels int [B,T]; give -100 to padding and to word pieces after the first).
 */
public final class TokenClassificationHead implements TaskHead {
  public static final String TYPE = "token_classification";
  /** HF's ignore index: tokens with this label are not scored. */
  public static final int IGNORE_INDEX = -100;

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public String scope() {
    return CheckpointNames.TOKEN_CLASSIFICATION_SCOPE;
  }

  @Override
  public Optional<String> huggingFaceArchitecture() {
    return Optional.of("BertForTokenClassification");
  }

  @Override
  public List<CheckpointNames> weights(HeadContext ctx) {
    return CheckpointNames.tokenClassifier(ctx.hidden(), ctx.numLabels());
  }

  @Override
  public List<Labels.Spec> labels(HeadContext ctx) {
    return List.of(new Labels.Spec(Labels.LABELS, DataType.INT, -1, -1));
  }

  /** Tag ids must lie in [0,C) or be -100. */
  @Override
  public void checkLabels(String name, org.nd4j.linalg.api.ndarray.INDArray labels, HeadContext ctx) {
    Labels.checkClassIds(name, labels, ctx.numLabels(), IGNORE_INDEX);
  }

  @Override
  public HeadOutputs build(SameDiff sd, EncoderOutputs enc, HeadContext ctx) {
    List<CheckpointNames> w = weights(ctx);
    SDVariable weights = sd.var(w.get(0).canonical(), ctx.dtype(), w.get(0).shape());
    SDVariable bias = sd.var(w.get(1).canonical(), ctx.dtype(), w.get(1).shape());
    SDVariable x = ctx.dropout(enc.sequenceOutput2d(), enc); // [B*T,H]
    SDVariable logits2d = Ops.outputLayer(x, weights, bias); // [B*T,C]
    SDVariable bt = sd.castTo(sd.shape(enc.inputWordIds()), DataType.LONG);
    SDVariable shape = sd.concat(0, bt, sd.constant(Nd4j.createFromArray(new long[] {ctx.numLabels()})));
    return HeadOutputs.logits(sd.reshape(HeadOutputs.LOGITS, logits2d, shape), ctx); // [B,T,C]
  }

  @Override
  public SDVariable loss(SameDiff sd, HeadOutputs out, Labels labels) {
    int c = out.context().numLabels();
    SDVariable logits = sd.reshape(out.get(HeadOutputs.LOGITS), -1, c); // [B*T,C]
    SDVariable y = sd.reshape(labels.get(Labels.LABELS), -1); // [B*T]; -100 is outside [0,C) and thus ignored
    return Losses.softmaxCrossEntropy(logits, y, c);
  }
}
