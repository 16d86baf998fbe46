package org.jbert.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jbert.core.config.BertConfig;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** BERT-large builds, runs with random weights, and has the parameter count its config implies. */
class BertLargeTest {
  @Test
  void largeForwardAndParameterCount() {
    BertConfig c = BertConfig.large();
    long v = c.vocabSize(), h = c.hiddenSize(), i = c.intermediateSize(), p = c.maxPositionEmbeddings();
    long embeddings = (v + p + c.typeVocabSize()) * h + 2 * h;
    long layer = 4 * (h * h + h) + 2 * h + (h * i + i) + (i * h + h) + 2 * h;
    long pooler = h * h + h;
    long expected = embeddings + c.numHiddenLayers() * layer + pooler;
    assertEquals(335_141_888L, expected); // the commonly quoted ~335M of BERT-large
    try (BertModel m = BertModel.random(c, 11)) {
      assertEquals(expected, m.parameterCount());
      int[][] ids = {{101, 2023, 2003, 1037, 3231, 1012, 102, 0}};
      int[][] mask = {{1, 1, 1, 1, 1, 1, 1, 0}};
      int[][] types = new int[1][8];
      try (EncoderResult r = m.encode(ids, mask, types)) {
        assertArrayEquals(new long[] {1, 8, 1024}, r.sequenceOutput().shape());
        assertArrayEquals(new long[] {1, 1024}, r.pooledOutput().shape());
        assertEquals(24, r.encoderOutputs().size());
        INDArray s = r.sequenceOutput();
        assertTrue(Double.isFinite(s.sumNumber().doubleValue()));
        // after the final LayerNorm (gamma 1, beta 0) every position has mean 0 and variance 1 over H
        assertEquals(0.0, s.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
            org.nd4j.linalg.indexing.NDArrayIndex.point(3), org.nd4j.linalg.indexing.NDArrayIndex.all())
            .meanNumber().doubleValue(), 1e-4);
        assertEquals(1.0, s.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
            org.nd4j.linalg.indexing.NDArrayIndex.point(3), org.nd4j.linalg.indexing.NDArrayIndex.all())
            .varNumber().doubleValue(), 1e-2);
      }
    }
  }
}
