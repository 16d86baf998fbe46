package org.jbert.onednn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.jbert.core.graph.BertGraph;
import org.jbert.core.kernels.KernelCheck;
import org.jbert.core.kernels.KernelRuntime;
import org.jbert.core.kernels.KernelSession;
import org.jbert.core.model.BertModel;
import org.jbert.core.model.EncoderResult;
import org.jbert.core.weights.HuggingFaceSource;
import org.jbert.testing.HfTiny;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * With this module on the class path, an inference model ({@code trainable} false) is built from fused ops and runs
 * on oneDNN: on the Hugging Face tiny BERT (hf-tiny-bert, core's test fixtures) every output is within 1e-5 of the
 * trainable model's unfused graph and within 1e-4 of Hugging Face's golden hidden states; a trainable model stays
 * unfused.
 */
class FusedModelTest {
  @Test
  void inferenceModelRunsFusedOnOnednnAndMatchesTheUnfusedGraph() {
    assertEquals(DnnlKernels.NAME, KernelRuntime.selected().name());
    try (HuggingFaceSource src = HuggingFaceSource.open(HfTiny.folder());
        BertModel fused = BertModel.fromWeights(src.config().orElseThrow(), src, true, false);
        HuggingFaceSource src2 = HuggingFaceSource.open(HfTiny.folder());
        BertModel plain = BertModel.fromWeights(src2.config().orElseThrow(), src2, true, true)) {
      assertTrue(KernelRuntime.hasFusedOps(fused.sameDiff()), "inference model not fused");
      assertFalse(KernelRuntime.hasFusedOps(plain.sameDiff()), "trainable model fused");
      long before = KernelSession.runs().getOrDefault(DnnlKernels.NAME, 0L);
      EncoderResult a = fused.encode(HfTiny.ids(), HfTiny.mask(), HfTiny.types());
      assertTrue(KernelSession.runs().getOrDefault(DnnlKernels.NAME, 0L) > before, "no fused op ran on oneDNN");
      EncoderResult b = plain.encode(HfTiny.ids(), HfTiny.mask(), HfTiny.types());
      int layers = fused.config().numHiddenLayers();
      JsonNode hs = HfTiny.golden().get("bert").get("hidden_states");
      for (int l = 0; l < layers; l++) {
        String name = BertGraph.encoderOutputName(l);
        double d = KernelCheck.maxAbs(a.get(name), b.get(name));
        assertTrue(d <= 1e-5, name + " fused vs unfused " + d);
        INDArray hf = Nd4j.createFromArray(HfTiny.flat(hs.get(l + 1))).castTo(DataType.FLOAT)
            .reshape(a.get(name).shape());
        double dh = KernelCheck.maxAbs(a.get(name), hf);
        assertTrue(dh <= 1e-4, name + " fused vs HF " + dh);
        System.out.printf("hf-tiny %s: onednn vs unfused %.3g, vs HF %.3g%n", name, d, dh);
      }
      for (String n : new String[] {BertGraph.POOLED_OUTPUT, BertGraph.EMBEDDING_OUTPUT}) {
        assertTrue(KernelCheck.maxAbs(a.get(n), b.get(n)) <= 1e-5, n);
      }
    }
  }
}
