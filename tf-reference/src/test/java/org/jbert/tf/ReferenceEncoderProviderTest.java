package org.jbert.tf;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jbert.eval.tf.ReferenceEncoder;
import org.junit.jupiter.api.Test;

/**
 * eval finds TensorFlow through ServiceLoader only (it compiles without TF): with this module on the class path the
 * provider must be there, or {@code jbert eval} silently loses its parity section.
 */
class ReferenceEncoderProviderTest {
  @Test
  void evalFindsTheTensorFlowReference() {
    ReferenceEncoder.Provider p = ReferenceEncoder.provider()
        .orElseThrow(() -> new AssertionError("no ReferenceEncoder.Provider: check META-INF/services"));
    assertInstanceOf(TfReferenceEncoder.Provider.class, p);
    assertTrue(p.name().startsWith("TensorFlow "), p.name());
  }
}
