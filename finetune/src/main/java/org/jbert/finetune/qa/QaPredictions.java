package org.jbert.finetune.qa;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jbert.core.io.AtomicFiles;

/**
 * The output of {@link QaPostProcessor}, keyed by {@link QaExample#id()} in example order: what run_squad.py writes to
 * {@code predictions.json}, {@code nbest_predictions.json} and {@code null_odds.json}.
 *
 * @param answers the predicted answer text of each example ("" = no answer, SQuAD v2.0)
 * @param nBest the n-best list of each example, best first
 * @param nullOdds SQuAD v2.0 only (empty for v1.1): {@code null score - best non-null score} of each example; the
 *     answer is "" where it exceeds the threshold
 */
public record QaPredictions(Map<String, String> answers, Map<String, List<NBestEntry>> nBest,
    Map<String, Double> nullOdds) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Writes run_squad.py's files into {@code dir} (each atomically): {@code predictions.json} (id to answer, the input
   * of the official SQuAD evaluation script), {@code nbest_predictions.json} (id to a list of {@code text},
   * {@code probability}, {@code start_logit}, {@code end_logit}) and, for v2.0, {@code null_odds.json} (id to null
   * odds, the script's {@code --na-prob-file}).
   */
  public void write(Path dir) {
    AtomicFiles.write(dir.resolve("predictions.json"), out -> JSON.writerWithDefaultPrettyPrinter()
        .writeValue(out, answers));
    AtomicFiles.write(dir.resolve("nbest_predictions.json"), out -> {
      try (JsonGenerator g = JSON.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
        g.useDefaultPrettyPrinter();
        g.writeStartObject();
        for (Map.Entry<String, List<NBestEntry>> e : nBest.entrySet()) {
          g.writeArrayFieldStart(e.getKey());
          for (NBestEntry n : e.getValue()) writeEntry(g, n);
          g.writeEndArray();
        }
        g.writeEndObject();
      }
    });
    if (!nullOdds.isEmpty()) {
      AtomicFiles.write(dir.resolve("null_odds.json"), out -> JSON.writerWithDefaultPrettyPrinter()
          .writeValue(out, nullOdds));
    }
  }

  private static void writeEntry(JsonGenerator g, NBestEntry n) throws IOException {
    g.writeStartObject();
    g.writeStringField("text", n.text());
    g.writeNumberField("probability", n.probability());
    g.writeNumberField("start_logit", n.startLogit());
    g.writeNumberField("end_logit", n.endLogit());
    g.writeEndObject();
  }
}
