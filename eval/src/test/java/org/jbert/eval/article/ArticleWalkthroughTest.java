package org.jbert.eval.article;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.jbert.core.model.Bert;
import org.junit.jupiter.api.Test;

/** The article's walkthrough on Google's real BERT-base uncased (the default model, from Maven Central). */
class ArticleWalkthroughTest {

  @Test
  void reproducesTheArticlesShapesAndChecks() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    ArticleWalkthrough.Result r;
    try (Bert bert = Bert.load("bert-base-uncased")) {
      r = ArticleWalkthrough.run(bert, new PrintStream(buf, true, StandardCharsets.UTF_8));
    }
    String printed = buf.toString(StandardCharsets.UTF_8);
    System.out.println(printed);
    for (long[] s : r.preprocessShapes()) assertArrayEquals(new long[] {3, 128}, s);
    assertArrayEquals(new long[] {3, 768}, r.pooledShape());
    assertArrayEquals(new long[] {3, 128, 768}, r.sequenceShape());
    assertEquals(12, r.encoderOutputShapes().size());
    for (long[] s : r.encoderOutputShapes()) assertArrayEquals(new long[] {3, 128, 768}, s);
    assertEquals(3L * 128 * 768, r.lastLayerValueCount());
    assertTrue(r.lastLayerAllEqual(), "encoder_outputs[-1] == sequence_output everywhere");
    assertTrue(printed.contains("input_word_ids  (3, 128)  first row [101, 1045, 2293, 10733, 102, 0"), printed);
    // The article's point: one static vector for "fair", two different contextual ones.
    assertEquals(1.0, r.fairStaticCosine(), 1e-6);
    assertTrue(r.fairContextCosine() < 0.8 && r.fairContextCosine() > 0,
        "contextual cosine " + r.fairContextCosine());
  }
}
