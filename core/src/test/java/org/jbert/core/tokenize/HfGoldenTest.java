package org.jbert.core.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exact parity with Hugging Face: the golden file src/test/resources/tokenizer/hf-tokenizer-golden.json.gz was made
 * with transformers 5.17.0 BertTokenizer (tokenizers backend), see the README.md beside it. Every token, id and
 * code-point offset of all 288 texts must match, uncased and cased, and so must the padded [CLS]/[SEP] encodings
 * (single texts at T=128, pairs at T=64 with longest_first truncation). Tolerance: none (integers).
 */
class HfGoldenTest {
  private static JsonNode golden;
  private static List<String> texts;

  @BeforeAll
  static void load() throws IOException {
    try (InputStream in = HfGoldenTest.class.getResourceAsStream("/tokenizer/hf-tokenizer-golden.json.gz")) {
      assertTrue(in != null, "golden resource missing");
      golden = new ObjectMapper().readTree(new GZIPInputStream(in));
    }
    texts = new ArrayList<>();
    for (JsonNode t : golden.get("texts")) texts.add(t.asText());
    assertEquals(288, texts.size());
  }

  private static BertTokenizer tokenizer(String kase) {
    boolean lower = golden.get(kase).get("do_lower_case").asBoolean();
    return new BertTokenizer(Vocab.bundled(lower ? "bert-base-uncased" : "bert-base-cased"), lower);
  }

  private static int[] ints(JsonNode arr) {
    int[] out = new int[arr.size()];
    for (int i = 0; i < out.length; i++) out[i] = arr.get(i).asInt();
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"uncased", "cased"})
  void tokensIdsAndOffsetsMatchHuggingFace(String kase) {
    BertTokenizer tok = tokenizer(kase);
    JsonNode rows = golden.get(kase).get("rows");
    int matched = 0;
    for (int i = 0; i < texts.size(); i++) {
      JsonNode row = rows.get(i);
      List<Token> got = tok.tokenize(texts.get(i));
      List<String> expected = new ArrayList<>();
      JsonNode et = row.get("tokens");
      JsonNode ei = row.get("ids");
      JsonNode eo = row.get("offsets");
      for (int j = 0; j < et.size(); j++) {
        expected.add(et.get(j).asText() + "/" + ei.get(j).asInt() + "@" + eo.get(j).get(0).asInt() + ":"
            + eo.get(j).get(1).asInt());
      }
      List<String> actual = new ArrayList<>();
      for (Token t : got) actual.add(t.text() + "/" + t.id() + "@" + t.start() + ":" + t.end());
      if (!expected.equals(actual)) {
        int k = 0;
        while (k < Math.min(expected.size(), actual.size()) && expected.get(k).equals(actual.get(k))) k++;
        fail(kase + " text " + i + " " + quote(texts.get(i)) + " differs at token " + k + ": expected "
            + expected.subList(k, Math.min(expected.size(), k + 5)) + " got "
            + actual.subList(k, Math.min(actual.size(), k + 5)) + " (matched " + matched + " texts before)");
      }
      matched++;
    }
    System.out.println("HF golden " + kase + ": tokens/ids/offsets identical for " + matched + " of " + texts.size()
        + " texts");
    assertEquals(288, matched);
  }

  @ParameterizedTest
  @ValueSource(strings = {"uncased", "cased"})
  void singleEncodingsMatchHuggingFace(String kase) {
    Preprocessor pre = new Preprocessor(tokenizer(kase), 128, false);
    Features f = pre.encode(texts);
    assertEquals(288, f.batchSize());
    assertEquals(128, f.seqLength());
    JsonNode rows = golden.get(kase).get("rows");
    for (int i = 0; i < texts.size(); i++) {
      JsonNode g = rows.get(i).get("single_max128");
      check(kase + " single text " + i, g.get("input_ids"), f.inputWordIds()[i]);
      check(kase + " single text " + i + " mask", g.get("attention_mask"), f.inputMask()[i]);
      if (g.has("token_type_ids")) check(kase + " single text " + i + " types", g.get("token_type_ids"),
          f.inputTypeIds()[i]);
      else assertTrue(Arrays.stream(f.inputTypeIds()[i]).allMatch(x -> x == 0));
    }
    System.out.println("HF golden " + kase + ": single_max128 identical for " + texts.size() + " texts");
  }

  @ParameterizedTest
  @ValueSource(strings = {"uncased", "cased"})
  void pairEncodingsMatchHuggingFace(String kase) {
    JsonNode rows = golden.get(kase).get("rows");
    List<String> a = new ArrayList<>();
    List<String> b = new ArrayList<>();
    List<Integer> idx = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      if (rows.get(i).has("pair_with_next_max64")) {
        idx.add(i);
        a.add(texts.get(i));
        b.add(texts.get(i + 1));
      }
    }
    assertEquals(96, idx.size());
    Features f = new Preprocessor(tokenizer(kase), 64, false).encodePairs(a, b);
    for (int r = 0; r < idx.size(); r++) {
      int i = idx.get(r);
      JsonNode g = rows.get(i).get("pair_with_next_max64");
      check(kase + " pair text " + i, g.get("input_ids"), f.inputWordIds()[r]);
      check(kase + " pair text " + i + " types", g.get("token_type_ids"), f.inputTypeIds()[r]);
      check(kase + " pair text " + i + " mask", g.get("attention_mask"), f.inputMask()[r]);
    }
    System.out.println("HF golden " + kase + ": pair_with_next_max64 identical for " + idx.size() + " pairs");
  }

  private static void check(String what, JsonNode expected, int[] actual) {
    int[] e = ints(expected);
    if (!Arrays.equals(e, actual)) {
      int k = Arrays.mismatch(e, actual);
      fail(what + " differs at position " + k + ": expected " + Arrays.toString(e) + " got "
          + Arrays.toString(actual));
    }
  }

  private static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    s.codePoints().limit(80).forEach(c -> {
      if (c < 32 || (c >= 127 && c < 160)) sb.append(String.format("\\u%04x", c));
      else sb.appendCodePoint(c);
    });
    return sb.append('"').toString();
  }
}
