package org.jbert.pretraining.heads;

import org.jbert.core.config.BertConfig;
import org.jbert.core.graph.BertGraph;
import org.jbert.core.graph.EncoderOutputs;
import org.jbert.core.graph.Ops;
import org.nd4j.autodiff.samediff.NameScope;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Builds BERT's pretraining heads (google-research/bert {@code run_pretraining.py}, HF {@code BertPreTrainingHeads})
 * onto an encoder graph built by {@link BertGraph}, with the checkpoint's scope names:
 *
 * <ul>
 *   <li>MLM head {@code cls/predictions}: {@code transform/dense} (H->H), the config's activation, {@code
 *       transform/LayerNorm} (config eps), then the decoder tied to {@code bert/embeddings/word_embeddings}:
 *       {@code logits = transform(x) @ word_embeddings^T + output_bias} (output_bias [V]).
 *   <li>NSP head {@code cls/seq_relationship}: {@code logits = pooled_output @ output_weights^T + output_bias}
 *       (output_weights [2,H], output_bias [2]).
 * </ul>
 *
 * <p>Outputs: {@value #PREDICTION_LOGITS} [B,T,V] (every position; ~V floats per token, for inference and parity),
 * {@value #MASKED_LM_LOGITS} [B,M,V] (only at the {@value #MASKED_LM_POSITIONS} placeholder [B,M], what training
 * needs: the [B,T,V] tensor is never built when only this is asked for), {@value #SEQ_RELATIONSHIP_LOGITS} [B,2].
 *
 * <p>Losses (scalars), as run_pretraining.py computes them from the placeholders {@value #MASKED_LM_POSITIONS},
 * {@value #MASKED_LM_IDS} int [B,M], {@value #MASKED_LM_WEIGHTS} [B,M] (1 real prediction, 0 padding) and
 * {@value #NEXT_SENTENCE_LABELS} int [B]:
 * {@value #MLM_LOSS} = sum(w * nll) / (sum(w) + eps), {@value #NSP_LOSS} = mean nll over the batch,
 * {@value #TOTAL_LOSS} = their sum. eps is the scalar constant {@value #MLM_LOSS_EPSILON}: Google's 1e-5 by default;
 * {@link #setMlmLossEpsilon} with 0 gives Hugging Face's mean over the predicted (non -100) positions exactly.
 */
public final class PretrainingHeads {
  public static final String MASKED_LM_POSITIONS = "masked_lm_positions";
  public static final String MASKED_LM_IDS = "masked_lm_ids";
  public static final String MASKED_LM_WEIGHTS = "masked_lm_weights";
  public static final String NEXT_SENTENCE_LABELS = "next_sentence_labels";
  public static final String PREDICTION_LOGITS = "prediction_logits";
  public static final String MASKED_LM_LOGITS = "masked_lm_logits";
  public static final String SEQ_RELATIONSHIP_LOGITS = "seq_relationship_logits";
  public static final String MLM_LOSS = "mlm_loss";
  public static final String NSP_LOSS = "nsp_loss";
  public static final String TOTAL_LOSS = "total_loss";
  public static final String MLM_LOSS_EPSILON = "mlm_loss_epsilon";
  /** google-research/bert's {@code denominator = reduce_sum(label_weights) + 1e-5}. */
  public static final double GOOGLE_MLM_EPSILON = 1e-5;

  private PretrainingHeads() {}

  /**
   * Adds the MLM head, and the NSP head when {@code nsp}, to the SameDiff of {@code enc}, with variables of
   * {@code dtype} (FLOAT for models, DOUBLE for gradient checks). Variables start with SameDiff's default values;
   * load or initialize them as for the encoder.
   *
   * @return the head outputs; without the NSP head its logits and loss are null and total_loss is the MLM loss
   */
  public static PretrainingOutputs build(SameDiff sd, BertConfig c, EncoderOutputs enc, boolean nsp,
      DataType dtype) {
    int h = c.hiddenSize();
    int v = c.vocabSize();
    SDVariable positions = sd.placeHolder(MASKED_LM_POSITIONS, DataType.INT, -1, -1);
    SDVariable labelIds = sd.placeHolder(MASKED_LM_IDS, DataType.INT, -1, -1);
    SDVariable weights = sd.placeHolder(MASKED_LM_WEIGHTS, dtype, -1, -1);
    SDVariable nspLabels = nsp ? sd.placeHolder(NEXT_SENTENCE_LABELS, DataType.INT, -1) : null;
    SDVariable eps = sd.constant(MLM_LOSS_EPSILON, Nd4j.scalar(dtype, GOOGLE_MLM_EPSILON));

    Mlm mlm;
    SDVariable nspW = null;
    SDVariable nspB = null;
    try (NameScope cls = sd.withNameScope("cls")) {
      try (NameScope p = sd.withNameScope("predictions")) {
        SDVariable kernel;
        SDVariable bias;
        SDVariable gamma;
        SDVariable beta;
        try (NameScope t = sd.withNameScope("transform")) {
          try (NameScope d = sd.withNameScope("dense")) {
            kernel = sd.var("kernel", dtype, h, h);
            bias = sd.var("bias", dtype, h);
          }
          try (NameScope ln = sd.withNameScope("LayerNorm")) {
            gamma = sd.var("gamma", dtype, h);
            beta = sd.var("beta", dtype, h);
          }
        }
        SDVariable outputBias = sd.var("output_bias", dtype, v);
        mlm = new Mlm(c, enc.wordEmbeddings(), kernel, bias, gamma, beta, outputBias);
      }
      if (nsp) {
        try (NameScope s = sd.withNameScope("seq_relationship")) {
          nspW = sd.var("output_weights", dtype, 2, h);
          nspB = sd.var("output_bias", dtype, 2);
        }
      }
    }

    // Every position: [B*T,H] -> [B*T,V] -> [B,T,V].
    SDVariable bt = sd.castTo(sd.shape(enc.inputWordIds()), DataType.LONG);
    SDVariable vocab = sd.constant(Nd4j.createFromArray(new long[] {v}));
    SDVariable full = sd.reshape(mlm.logits(enc.sequenceOutput2d()), sd.concat(0, bt, vocab));
    SDVariable predictionLogits = sd.identity(PREDICTION_LOGITS, full);

    // Masked positions only: row b, position p of the [B*T,H] sequence output is row b*T + p.
    SDVariable batch = sd.sizeAt(enc.inputWordIds(), 0);
    SDVariable seqLen = sd.castTo(sd.sizeAt(enc.inputWordIds(), 1), DataType.INT);
    SDVariable rowStart = sd.expandDims(sd.range(sd.constant(0), batch, sd.constant(1), DataType.INT).mul(seqLen), 1);
    SDVariable flat = sd.reshape(positions.add(rowStart), -1); // [B*M]
    SDVariable picked = Ops.embeddingLookup(enc.sequenceOutput2d(), flat); // [B*M,H]
    SDVariable maskedLogits2d = mlm.logits(picked); // [B*M,V]
    SDVariable bm = sd.castTo(sd.shape(positions), DataType.LONG);
    SDVariable maskedLmLogits = sd.identity(MASKED_LM_LOGITS, sd.reshape(maskedLogits2d, sd.concat(0, bm, vocab)));

    SDVariable nll = nll(maskedLogits2d, sd.reshape(labelIds, -1), v, dtype); // [B*M]
    SDVariable w = sd.reshape(weights, -1);
    SDVariable mlmLoss = sd.identity(MLM_LOSS, sd.sum(nll.mul(w)).div(sd.sum(w).add(eps)));

    SDVariable seqRelationshipLogits = null;
    SDVariable nspLoss = null;
    SDVariable total;
    if (nsp) {
      SDVariable logits = sd.mmul(enc.pooledOutput(), nspW, false, true, false).add(nspB); // [B,2]
      seqRelationshipLogits = sd.identity(SEQ_RELATIONSHIP_LOGITS, logits);
      nspLoss = sd.identity(NSP_LOSS, sd.mean(nll(logits, nspLabels, 2, dtype)));
      total = sd.identity(TOTAL_LOSS, mlmLoss.add(nspLoss));
    } else {
      total = sd.identity(TOTAL_LOSS, mlmLoss);
    }
    return new PretrainingOutputs(positions, labelIds, weights, nspLabels, predictionLogits, maskedLmLogits,
        seqRelationshipLogits, mlmLoss, nspLoss, total);
  }

  /**
   * Sets the MLM loss denominator's epsilon of a graph built by {@link #build}: {@link #GOOGLE_MLM_EPSILON} (the
   * default) or 0 for Hugging Face's exact mean (NaN when nothing is predicted, as in HF).
   */
  public static void setMlmLossEpsilon(SameDiff sd, double eps) {
    sd.getVariable(MLM_LOSS_EPSILON).getArr().assign(eps);
  }

  /** Per-row cross-entropy: logits [K,C], labels int [K] in [0,C) -> [K]. */
  private static SDVariable nll(SDVariable logits, SDVariable labels, int classes, DataType dtype) {
    SameDiff sd = logits.getSameDiff();
    // log-softmax by hand: nn().logSoftmax(x, dim) cannot be cloned for backprop in SameDiff M2.1 ("Error setting
    // property for function LogSoftMax"). The max shift has zero net gradient, so the gradient stays exact.
    SDVariable shifted = logits.sub(sd.max(logits, true, 1));
    SDVariable logp = shifted.sub(sd.math().log(sd.sum(sd.math().exp(shifted), true, 1)));
    SDVariable oneHot = sd.oneHot(labels, classes, -1, 1.0, 0.0, dtype);
    return sd.sum(oneHot.mul(logp), 1).neg();
  }

  /** The MLM head's variables and its [K,H] -> [K,V] function, applied to every position or the masked ones. */
  private record Mlm(BertConfig c, SDVariable wordEmbeddings, SDVariable kernel, SDVariable bias, SDVariable gamma,
      SDVariable beta, SDVariable outputBias) {
    SDVariable logits(SDVariable x) {
      SDVariable t = Ops.activation(Ops.dense(x, kernel, bias), c.hiddenAct());
      t = Ops.layerNorm(t, gamma, beta, c.layerNormEps());
      return t.getSameDiff().mmul(t, wordEmbeddings, false, true, false).add(outputBias); // [K,V]
    }
  }
}
