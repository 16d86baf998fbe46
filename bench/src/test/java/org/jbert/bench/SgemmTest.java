package org.jbert.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jbert.core.JbertException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class SgemmTest {
  /**
   * The matmul op measurement: float32 is its own reference (error 0); bf16 products [32,48]x[48,16] of values in
   * [-0.5,0.5) are off from float32 by more than nothing and less than 5e-2 of the largest value (bf16 keeps 8
   * mantissa bits, 2^-9 per rounding of the inputs and the output; the tests' generic build also accumulates the 48
   * terms in bf16: 1.1e-2 here, against 4e-3 for oneDNN's products at BERT's shapes); an unsupported type is named.
   */
  @Test
  void matmulOpMeasuresFloat32AndBf16WithTheBf16Error() {
    Sgemm.OpPoint f = Sgemm.matmulOp(32, 48, 16, DataType.FLOAT);
    assertEquals("FLOAT", f.dtype());
    assertEquals(0.0, f.maxRelError());
    assertTrue(f.gflops() > 0 && f.reps() >= Sgemm.MIN_REPS, f.toString());
    assertEquals(2.0 * 32 * 48 * 16 / 1e9 / f.gflops(), f.seconds(), 1e-15);
    Sgemm.OpPoint b = Sgemm.matmulOp(32, 48, 16, DataType.BFLOAT16);
    assertTrue(b.maxRelError() > 0 && b.maxRelError() < 5e-2, "bf16 relative error " + b.maxRelError());
    JbertException e = assertThrows(JbertException.class, () -> Sgemm.matmulOp(4, 4, 4, DataType.DOUBLE));
    assertEquals("matmul benchmark dtype DOUBLE; expected FLOAT or BFLOAT16", e.getMessage());
  }
}
