package org.jbert.finetune.task;

import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.finetune.head.HeadContext;
import org.jbert.finetune.head.Labels;
import org.jbert.finetune.head.TaskHead;

/**
 * What a head is trained on and predicts, read from its label placeholders so that custom heads fit too: a [B]
 * {@code labels} placeholder is sequence classification (or regression), a [B,T] one token classification, and
 * {@code start_positions}/{@code end_positions} extractive QA.
 */
public enum TaskKind {
  /** One class (or one number, for regression) per text or text pair. */
  SEQUENCE_CLASSIFICATION("a class or number per text"),
  /** One tag per word. */
  TOKEN_CLASSIFICATION("a tag per word"),
  /** An answer span of a context per question. */
  QUESTION_ANSWERING("an answer span per question");

  private final String description;

  TaskKind(String description) {
    this.description = description;
  }

  /** What the head predicts, for messages. */
  public String description() {
    return description;
  }

  /** The kind of {@code head} built with {@code ctx}; a JbertException for a head whose labels fit none. */
  public static TaskKind of(TaskHead head, HeadContext ctx) {
    List<Labels.Spec> specs = head.labels(ctx);
    List<String> names = specs.stream().map(Labels.Spec::name).toList();
    if (names.contains(Labels.START_POSITIONS) && names.contains(Labels.END_POSITIONS)) return QUESTION_ANSWERING;
    if (specs.size() == 1 && names.get(0).equals(Labels.LABELS)) {
      long[] shape = specs.get(0).shape();
      if (shape.length == 1) return SEQUENCE_CLASSIFICATION;
      if (shape.length == 2 && shape[1] < 0) return TOKEN_CLASSIFICATION;
    }
    throw new JbertException("head '" + head.type() + "' takes labels " + names + " shaped as none of the run's tasks;"
        + " expected labels [B] (sequence classification), labels [B,T] (tagging) or start/end positions (QA)");
  }
}
