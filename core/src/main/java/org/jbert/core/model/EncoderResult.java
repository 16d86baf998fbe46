package org.jbert.core.model;

import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.core.graph.BertGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The encoder's outputs for one batch, under the TF Hub names.
 *
 * @param pooledOutput {@code pooled_output} (also {@code default}) [B,H]: tanh(dense(first token))
 * @param sequenceOutput {@code sequence_output} [B,T,H]: the last layer's output
 * @param encoderOutputs {@code encoder_outputs}: L arrays [B,T,H], each layer's output
 * @param embeddingOutput {@code embedding_output} [B,T,H]: the embeddings after LayerNorm
 */
public record EncoderResult(INDArray pooledOutput, INDArray sequenceOutput, List<INDArray> encoderOutputs,
    INDArray embeddingOutput) implements AutoCloseable {

  /** The output called {@code name} in TF Hub ({@code default}, {@code pooled_output}, ...; layer k is
   * {@code encoder_outputs/k}). */
  public INDArray get(String name) {
    switch (name) {
      case BertGraph.DEFAULT, BertGraph.POOLED_OUTPUT -> {
        return pooledOutput;
      }
      case BertGraph.SEQUENCE_OUTPUT -> {
        return sequenceOutput;
      }
      case BertGraph.EMBEDDING_OUTPUT -> {
        return embeddingOutput;
      }
      default -> {
        for (int k = 0; k < encoderOutputs.size(); k++) {
          if (name.equals(BertGraph.encoderOutputName(k))) return encoderOutputs.get(k);
        }
        throw new JbertException("no encoder output named '" + name + "'; expected default, pooled_output, "
            + "sequence_output, embedding_output or encoder_outputs/0.." + (encoderOutputs.size() - 1));
      }
    }
  }

  /** The same as {@link #pooledOutput()}: TF Hub's {@code default} output. */
  public INDArray defaultOutput() {
    return pooledOutput;
  }

  /** Frees the native memory of every array. */
  @Override
  public void close() {
    pooledOutput.close();
    sequenceOutput.close();
    encoderOutputs.forEach(INDArray::close);
    embeddingOutput.close();
  }
}
