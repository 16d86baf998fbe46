package org.jbert.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The hf-tiny-bert task fixture (HF transformers 5.17.0; see src/test/resources/hf-tiny-bert/README.md). */
public final class Fixtures {
  private static JsonNode golden;

  private Fixtures() {}

  /** A test resource as a path. */
  public static Path resource(String name) {
    try {
      return Path.of(Fixtures.class.getResource("/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("missing test resource " + name, e);
    }
  }

  /** hf-tiny-bert/{task}: seqcls, tokcls or qa. */
  public static Path task(String name) {
    return resource("hf-tiny-bert/" + name);
  }

  /** golden.json. */
  public static synchronized JsonNode golden() {
    if (golden == null) {
      try {
        golden = new ObjectMapper().readTree(resource("hf-tiny-bert/golden.json").toFile());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return golden;
  }

  public static int[][] ids() {
    return ints2(golden().get("input_ids"));
  }

  public static int[][] mask() {
    return ints2(golden().get("attention_mask"));
  }

  public static int[][] types() {
    return ints2(golden().get("token_type_ids"));
  }

  public static int[][] ints2(JsonNode n) {
    int[][] out = new int[n.size()][];
    for (int i = 0; i < n.size(); i++) out[i] = ints1(n.get(i));
    return out;
  }

  public static int[] ints1(JsonNode n) {
    int[] out = new int[n.size()];
    for (int j = 0; j < out.length; j++) out[j] = (int) Math.round(n.get(j).asDouble());
    return out;
  }

  /** A nested number array flattened row-major. */
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

  /** max |a - b| over all elements, lengths checked. */
  public static double maxAbsDiff(double[] a, double[] b) {
    if (a.length != b.length) throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
    double m = 0;
    for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
    return m;
  }
}
