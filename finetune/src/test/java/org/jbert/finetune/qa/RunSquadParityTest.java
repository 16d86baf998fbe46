package org.jbert.finetune.qa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Parity with Google's run_squad.py. Golden: {@code qa/run_squad_golden.json}, written by
 * {@code qa/make_run_squad_golden.py} (next to it) running google-research/bert's own
 * {@code read_squad_examples}, {@code convert_examples_to_features} (is_training, v2.0) and {@code write_predictions}
 * (v1.1 and v2.0) with the bundled uncased vocab, max_seq_length 40, max_query_length 8, doc_stride 9 (one context
 * of 9 windows), n_best_size 5, max_answer_length 6, null threshold 0.5, on seeded random float32 logits. Features
 * must match exactly; answers and n-best texts exactly (the contexts have single spaces, where run_squad.py's
 * whitespace re-joining and jbert's exact substrings agree); probabilities and null odds to 1e-12.
 */
class RunSquadParityTest {
  static JsonNode golden;
  static List<QaExample> examples;
  static List<QaFeature> features;
  static float[][] start;
  static float[][] end;

  @BeforeAll
  static void load() throws Exception {
    try (InputStream in = RunSquadParityTest.class.getResourceAsStream("/qa/run_squad_golden.json")) {
      golden = new ObjectMapper().readTree(in);
    }
    examples = new ArrayList<>();
    for (JsonNode paragraph : golden.at("/squad/data/0/paragraphs")) {
      String context = paragraph.get("context").asText();
      for (JsonNode q : paragraph.get("qas")) {
        List<QaExample.Answer> answers = new ArrayList<>();
        for (JsonNode a : q.get("answers")) {
          answers.add(new QaExample.Answer(a.get("text").asText(), a.get("answer_start").asInt()));
        }
        examples.add(new QaExample(q.get("id").asText(), q.get("question").asText(), context, answers,
            q.get("is_impossible").asBoolean()));
      }
    }
    QaFeatureConfig config = new QaFeatureConfig(golden.get("max_seq_length").asInt(),
        golden.get("max_query_length").asInt(), golden.get("doc_stride").asInt());
    features = new QaFeatureBuilder(QaFeatureBuilderTest.TOK, config).build(examples, true);
    JsonNode g = golden.get("features");
    start = new float[g.size()][];
    end = new float[g.size()][];
    for (int f = 0; f < g.size(); f++) {
      start[f] = floats(g.get(f).get("start_logits"));
      end[f] = floats(g.get(f).get("end_logits"));
    }
  }

  static int[] ints(JsonNode array) {
    return IntStream.range(0, array.size()).map(i -> array.get(i).asInt()).toArray();
  }

  static float[] floats(JsonNode array) {
    float[] out = new float[array.size()];
    for (int i = 0; i < out.length; i++) out[i] = (float) array.get(i).asDouble();
    return out;
  }

  @Test
  void featuresMatchConvertExamplesToFeatures() {
    JsonNode g = golden.get("features");
    assertEquals(29, g.size());
    assertEquals(g.size(), features.size());
    for (int i = 0; i < g.size(); i++) {
      JsonNode want = g.get(i);
      QaFeature got = features.get(i);
      String at = "feature " + i;
      assertEquals(want.get("example_index").asInt(), got.exampleIndex(), at);
      assertEquals(want.get("doc_span_index").asInt(), got.windowIndex(), at);
      assertArrayEquals(ints(want.get("input_ids")), got.inputIds(), at);
      assertArrayEquals(ints(want.get("input_mask")), got.inputMask(), at);
      assertArrayEquals(ints(want.get("segment_ids")), got.typeIds(), at);
      int[] maxContext = IntStream.range(0, got.seqLength()).filter(p -> got.maxContext()[p]).toArray();
      assertArrayEquals(ints(want.get("token_is_max_context")), maxContext, at);
      assertEquals(want.get("start_position").asInt(), got.startPosition(), at);
      assertEquals(want.get("end_position").asInt(), got.endPosition(), at);
    }
  }

  @Test
  void predictionsMatchWritePredictionsV1() {
    check("v1", false);
  }

  @Test
  void predictionsMatchWritePredictionsV2() {
    check("v2", true);
  }

  private void check(String version, boolean v2) {
    QaPostConfig config = new QaPostConfig(golden.get("n_best_size").asInt(), golden.get("max_answer_length").asInt(),
        v2, golden.get("null_score_diff_threshold").asDouble());
    QaPredictions p = new QaPostProcessor(config).process(examples, features, start, end);
    JsonNode want = golden.get(version);
    for (QaExample ex : examples) {
      String id = ex.id();
      assertEquals(want.at("/predictions/" + id).asText(), p.answers().get(id), id);
      JsonNode wantNBest = want.at("/nbest/" + id);
      List<NBestEntry> got = p.nBest().get(id);
      assertEquals(wantNBest.size(), got.size(), id);
      for (int i = 0; i < got.size(); i++) {
        JsonNode w = wantNBest.get(i);
        String at = id + " n-best " + i;
        assertEquals(w.get("text").asText(), got.get(i).text(), at);
        assertEquals((float) w.get("start_logit").asDouble(), got.get(i).startLogit(), at);
        assertEquals((float) w.get("end_logit").asDouble(), got.get(i).endLogit(), at);
        assertEquals(w.get("probability").asDouble(), got.get(i).probability(), 1e-12, at);
      }
      if (v2) assertEquals(want.at("/null_odds/" + id).asDouble(), p.nullOdds().get(id), 1e-12, id);
    }
    if (!v2) assertEquals(0, p.nullOdds().size());
    // the golden exercises both outcomes of v2.0
    if (v2) {
      assertEquals("", p.answers().get("long-impossible"));
      assertEquals("résumé shop on the Nürburg", p.answers().get("cafe-shop"));
    }
  }
}
