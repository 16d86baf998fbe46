package org.jbert.spark;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jbert.eval.tf.ReferenceEncoder;
import org.junit.jupiter.api.Test;

/** Spark jobs carry no TensorFlow (about 117 MB of natives): the spark module excludes tf-reference from the CLI. */
class SparkClassPathTest {
  @Test
  void noTensorFlowOnTheSparkClassPath() {
    assertThrows(ClassNotFoundException.class, () -> Class.forName("org.tensorflow.TensorFlow"));
    assertTrue(ReferenceEncoder.provider().isEmpty(), "no TensorFlow reference provider expected");
  }
}
