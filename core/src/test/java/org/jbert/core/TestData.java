package org.jbert.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** Access to test resources. */
public final class TestData {
  private TestData() {}

  /** A test resource as a path. */
  public static Path resource(String name) {
    try {
      return Path.of(TestData.class.getResource("/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("missing test resource " + name, e);
    }
  }

  /** The HF tiny BERT folder (BertForPreTraining). */
  public static Path hfTinyBert() {
    return resource("hf-tiny-bert/pretraining");
  }

  /** golden.json of the HF tiny BERT (HF transformers 5.17.0; see hf-tiny-bert/README.md). */
  public static JsonNode hfGolden() {
    try {
      return new ObjectMapper().readTree(resource("hf-tiny-bert/golden.json").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A JSON 2-D number array as int[][]. */
  public static int[][] ints(JsonNode n) {
    int[][] out = new int[n.size()][];
    for (int i = 0; i < n.size(); i++) {
      out[i] = new int[n.get(i).size()];
      for (int j = 0; j < out[i].length; j++) out[i][j] = (int) Math.round(n.get(i).get(j).asDouble());
    }
    return out;
  }

  /** A JSON nested number array flattened row-major. */
  public static double[] flat(JsonNode n) {
    java.util.List<Double> out = new java.util.ArrayList<>();
    flatten(n, out);
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static void flatten(JsonNode n, java.util.List<Double> out) {
    if (n.isArray()) {
      for (JsonNode c : n) flatten(c, out);
    } else {
      out.add(n.asDouble());
    }
  }

  /** max |a - b| over all elements; fails on a length difference. */
  public static double maxAbsDiff(double[] a, double[] b) {
    if (a.length != b.length) throw new AssertionError("length " + a.length + " vs " + b.length);
    double m = 0;
    for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
    return m;
  }
}
