package org.jbert.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The hf-tiny-bert fixture (Hugging Face transformers 5.17.0; see core's src/test/resources/hf-tiny-bert/README.md),
 * shared by every module's tests through jbert-core's test-jar: the model folders, golden.json and the helpers that
 * read its nested arrays.
 */
public final class HfTiny {
  private static JsonNode golden;

  private HfTiny() {}

  /** The BertForPreTraining folder (the encoder every task folder shares). */
  public static Path folder() {
    return folder("pretraining");
  }

  /** {@code hf-tiny-bert/<name>}: {@code pretraining}, {@code seqcls}, {@code tokcls} or {@code qa}. */
  public static Path folder(String name) {
    return TestResources.path("hf-tiny-bert/" + name);
  }

  /** golden.json: the inputs and Hugging Face's outputs (read once). */
  public static synchronized JsonNode golden() {
    if (golden == null) {
      try {
        golden = new ObjectMapper().readTree(TestResources.path("hf-tiny-bert/golden.json").toFile());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return golden;
  }

  /** golden.json's {@code input_ids} [3,16]. */
  public static int[][] ids() {
    return ints(golden().get("input_ids"));
  }

  /** golden.json's {@code attention_mask} [3,16]. */
  public static int[][] mask() {
    return ints(golden().get("attention_mask"));
  }

  /** golden.json's {@code token_type_ids} [3,16]. */
  public static int[][] types() {
    return ints(golden().get("token_type_ids"));
  }

  /** A JSON 2-D number array as int[][]. */
  public static int[][] ints(JsonNode n) {
    int[][] out = new int[n.size()][];
    for (int i = 0; i < n.size(); i++) out[i] = ints1(n.get(i));
    return out;
  }

  /** A JSON 1-D number array as int[]. */
  public static int[] ints1(JsonNode n) {
    int[] out = new int[n.size()];
    for (int i = 0; i < out.length; i++) out[i] = (int) Math.round(n.get(i).asDouble());
    return out;
  }

  /** Any nested JSON number array, flattened row-major. */
  public static double[] flat(JsonNode n) {
    List<Double> out = new ArrayList<>();
    flatten(n, out);
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static void flatten(JsonNode n, List<Double> out) {
    if (n.isArray()) {
      for (JsonNode c : n) flatten(c, out);
    } else {
      out.add(n.asDouble());
    }
  }

  /** An array's values as doubles, row-major. */
  public static double[] vals(INDArray a) {
    return a.castTo(DataType.DOUBLE).dup().data().asDouble();
  }

  /** max |a - b|; the lengths must match. */
  public static double maxAbsDiff(double[] a, double[] b) {
    if (a.length != b.length) throw new AssertionError("length " + a.length + " vs " + b.length);
    double m = 0;
    for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
    return m;
  }

  /** |a - expected| / |expected|. */
  public static double relDiff(double a, double expected) {
    return Math.abs(a - expected) / Math.abs(expected);
  }
}
