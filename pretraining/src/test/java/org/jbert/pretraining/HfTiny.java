package org.jbert.pretraining;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The HF tiny BERT fixture (hf-tiny-bert/README.md: HF transformers 5.17.0, float32 CPU) and array helpers. */
public final class HfTiny {
  private HfTiny() {}

  /** The BertForPreTraining folder. */
  public static Path folder() {
    return resource("hf-tiny-bert/pretraining");
  }

  public static JsonNode golden() {
    try {
      return new ObjectMapper().readTree(resource("hf-tiny-bert/golden.json").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path resource(String name) {
    try {
      return Path.of(HfTiny.class.getResource("/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("missing test resource " + name, e);
    }
  }

  public static int[][] ints(JsonNode n) {
    int[][] out = new int[n.size()][];
    for (int i = 0; i < n.size(); i++) {
      out[i] = new int[n.get(i).size()];
      for (int j = 0; j < out[i].length; j++) out[i][j] = (int) Math.round(n.get(i).get(j).asDouble());
    }
    return out;
  }

  public static int[] ints1(JsonNode n) {
    int[] out = new int[n.size()];
    for (int i = 0; i < out.length; i++) out[i] = (int) Math.round(n.get(i).asDouble());
    return out;
  }

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

  public static double[] vals(INDArray a) {
    return a.castTo(DataType.DOUBLE).dup().data().asDouble();
  }

  public static double maxAbsDiff(double[] a, double[] b) {
    if (a.length != b.length) throw new AssertionError("length " + a.length + " vs " + b.length);
    double m = 0;
    for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
    return m;
  }

  public static double relDiff(double a, double expected) {
    return Math.abs(a - expected) / Math.abs(expected);
  }
}
