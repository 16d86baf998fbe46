package org.jbert.finetune;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jbert.finetune.head.Labels;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One batch for a {@link TaskModel}: encoder inputs [B,T] and the head's labels by placeholder name
 * ({@link Labels#LABELS}, {@link Labels#START_POSITIONS}, ...). Owns the label arrays: close it when done.
 *
 * @param inputWordIds [B,T] token ids
 * @param inputMask [B,T] 1 for real tokens, 0 for padding
 * @param inputTypeIds [B,T] segment ids
 * @param labels placeholder name -> array; empty for prediction
 */
public record Batch(int[][] inputWordIds, int[][] inputMask, int[][] inputTypeIds, Map<String, INDArray> labels)
    implements AutoCloseable {

  public Batch {
    labels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels));
  }

  /** Sequence classification: class ids [B]. */
  public static Batch classification(int[][] ids, int[][] mask, int[][] types, int[] classIds) {
    return new Batch(ids, mask, types, Map.of(Labels.LABELS, Nd4j.createFromArray(classIds)));
  }

  /** Regression: one target per example [B]. */
  public static Batch regression(int[][] ids, int[][] mask, int[][] types, float[] targets) {
    return new Batch(ids, mask, types, Map.of(Labels.LABELS, Nd4j.createFromArray(targets)));
  }

  /** Multi-label classification: 0/1 targets [B,C]. */
  public static Batch multiLabel(int[][] ids, int[][] mask, int[][] types, float[][] targets) {
    return new Batch(ids, mask, types, Map.of(Labels.LABELS, Nd4j.createFromArray(targets)));
  }

  /** Token tagging: class ids [B,T], -100 for tokens not scored. */
  public static Batch tagging(int[][] ids, int[][] mask, int[][] types, int[][] tagIds) {
    return new Batch(ids, mask, types, Map.of(Labels.LABELS, Nd4j.createFromArray(tagIds)));
  }

  /** Extractive QA: span start and end token indices [B]. */
  public static Batch spans(int[][] ids, int[][] mask, int[][] types, int[] start, int[] end) {
    Map<String, INDArray> m = new LinkedHashMap<>();
    m.put(Labels.START_POSITIONS, Nd4j.createFromArray(start));
    m.put(Labels.END_POSITIONS, Nd4j.createFromArray(end));
    return new Batch(ids, mask, types, m);
  }

  /** Inputs only, for prediction. */
  public static Batch inputs(int[][] ids, int[][] mask, int[][] types) {
    return new Batch(ids, mask, types, Map.of());
  }

  /** B. */
  public int size() {
    return inputWordIds.length;
  }

  @Override
  public void close() {
    labels.values().forEach(a -> {
      if (a.closeable()) a.close();
    });
  }
}
