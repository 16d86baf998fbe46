package org.jbert.pretraining.data;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jbert.core.JbertException;
import org.jbert.core.io.AtomicFiles;

/**
 * Writes {@link TrainingInstance}s as JSON Lines, one object per line with exactly these fields, in this order (the
 * features of the original's TFRecords):
 *
 * <ul>
 *   <li>{@code input_ids}: T ints, the (masked) ids padded with 0 to max_seq_length T
 *   <li>{@code input_mask}: T ints, 1 for real tokens, 0 for padding
 *   <li>{@code segment_ids}: T ints, 0 for [CLS] A [SEP], 1 for B [SEP], 0 for padding
 *   <li>{@code masked_lm_positions}: M ints, M = max_predictions_per_seq, padded with 0
 *   <li>{@code masked_lm_ids}: M ints, the original ids at those positions, padded with 0
 *   <li>{@code masked_lm_weights}: M floats, 1.0 for a real prediction, 0.0 for padding
 *   <li>{@code next_sentence_label}: 0 when B follows A, 1 when B is random
 * </ul>
 */
public final class InstanceWriter implements Consumer<TrainingInstance> {
  private final JsonGenerator json;
  private final int maxSeqLength;
  private final int maxPredictions;

  /** A writer onto {@code out} (not closed by this writer; call {@link #flush()} at the end). */
  public InstanceWriter(OutputStream out, PretrainingDataOptions options) {
    try {
      this.json = new JsonFactory().createGenerator(out, JsonEncoding.UTF8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    json.setRootValueSeparator(null);
    json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    this.maxSeqLength = options.maxSeqLength();
    this.maxPredictions = options.maxPredictionsPerSeq();
  }

  /**
   * Runs {@code producer} with a sink that writes to a temp file beside {@code output}, then renames it into place;
   * on any error nothing is left at {@code output}.
   */
  public static PretrainingDataStats write(
      Path output, PretrainingDataOptions options,
      Function<Consumer<TrainingInstance>, PretrainingDataStats> producer) {
    PretrainingDataStats[] stats = new PretrainingDataStats[1];
    try {
      AtomicFiles.write(output, out -> {
        InstanceWriter w = new InstanceWriter(out, options);
        stats[0] = producer.apply(w);
        w.flush();
      });
    } catch (UncheckedIOException e) {
      throw new JbertException(output + ": cannot write (" + e.getCause().getMessage() + ")", e);
    }
    return stats[0];
  }

  /** Writes one instance as one line. */
  @Override
  public void accept(TrainingInstance inst) {
    int n = inst.length();
    int m = inst.maskedLmPositions().length;
    if (n > maxSeqLength || m > maxPredictions) {
      throw new IllegalArgumentException("instance of length " + n + " with " + m
          + " predictions does not fit max_seq_length " + maxSeqLength + " / max_predictions_per_seq "
          + maxPredictions);
    }
    try {
      json.writeStartObject();
      json.writeArrayFieldStart("input_ids");
      for (int i = 0; i < maxSeqLength; i++) json.writeNumber(i < n ? inst.inputIds()[i] : 0);
      json.writeEndArray();
      json.writeArrayFieldStart("input_mask");
      for (int i = 0; i < maxSeqLength; i++) json.writeNumber(i < n ? 1 : 0);
      json.writeEndArray();
      json.writeArrayFieldStart("segment_ids");
      for (int i = 0; i < maxSeqLength; i++) json.writeNumber(i < n ? inst.segmentIds()[i] : 0);
      json.writeEndArray();
      json.writeArrayFieldStart("masked_lm_positions");
      for (int i = 0; i < maxPredictions; i++) json.writeNumber(i < m ? inst.maskedLmPositions()[i] : 0);
      json.writeEndArray();
      json.writeArrayFieldStart("masked_lm_ids");
      for (int i = 0; i < maxPredictions; i++) json.writeNumber(i < m ? inst.maskedLmIds()[i] : 0);
      json.writeEndArray();
      json.writeArrayFieldStart("masked_lm_weights");
      for (int i = 0; i < maxPredictions; i++) json.writeNumber(i < m ? 1.0 : 0.0);
      json.writeEndArray();
      json.writeNumberField("next_sentence_label", inst.nextSentenceLabel());
      json.writeEndObject();
      json.writeRaw('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Flushes buffered output to the stream. */
  public void flush() {
    try {
      json.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
