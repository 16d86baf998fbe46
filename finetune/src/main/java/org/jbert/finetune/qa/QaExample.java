package org.jbert.finetune.qa;

import java.util.List;
import java.util.Objects;
import org.jbert.core.JbertException;

/**
 * One extractive question-answering example, as a SQuAD v1.1 / v2.0 file holds it (one {@code qas} entry with its
 * paragraph's {@code context}).
 *
 * <p>All character offsets are in Unicode code points of {@link #context()}, which is what Python's {@code str}
 * indexing and SQuAD's {@code answer_start} count (not Java's UTF-16 chars).
 *
 * @param id the question id ({@code qas[].id}), the key of the prediction files
 * @param question the question text
 * @param context the paragraph the answer is taken from, exactly as in the file (no whitespace cleanup)
 * @param answers the gold answers; training uses the first, evaluation may list several; empty for impossible
 *     questions and for unlabelled prediction input
 * @param impossible SQuAD v2.0's {@code is_impossible}: the context holds no answer
 */
public record QaExample(String id, String question, String context, List<Answer> answers, boolean impossible) {

  /**
   * One gold answer.
   *
   * @param text the answer text, equal to the context's code points {@code [start, start + text length)}
   * @param start SQuAD's {@code answer_start}: index of the first code point of the answer in the context
   */
  public record Answer(String text, int start) {
    public Answer {
      Objects.requireNonNull(text, "text");
    }

    /** One past the last code point of the answer in the context. */
    public int end() {
      return start + text.codePointCount(0, text.length());
    }
  }

  /**
   * @throws JbertException if an answer lies outside the context or its text differs from the context at its offset
   *     (usually a sign of UTF-16 instead of code-point offsets)
   */
  public QaExample {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(question, "question");
    Objects.requireNonNull(context, "context");
    answers = List.copyOf(answers);
    int contextLength = context.codePointCount(0, context.length());
    for (int i = 0; i < answers.size(); i++) {
      Answer a = answers.get(i);
      if (a.start() < 0 || a.end() > contextLength) {
        throw new JbertException("QA example '" + id + "' answer " + i + " (start " + a.start() + ", text '"
            + quote(a.text()) + "') lies outside its context of " + contextLength + " code points; expected"
            + " 0 <= start and start + length <= context length");
      }
      int from = context.offsetByCodePoints(0, a.start());
      String found = context.substring(from, context.offsetByCodePoints(from, a.end() - a.start()));
      if (!found.equals(a.text())) {
        throw new JbertException("QA example '" + id + "' answer " + i + " text '" + quote(a.text())
            + "' differs from the context at code point " + a.start() + " ('" + quote(found) + "'); expected"
            + " answer_start in code points");
      }
    }
  }

  /** {@code s} with line breaks and tabs escaped, for one-line error messages. */
  static String quote(String s) {
    return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
  }

  /** An example without gold answers (prediction input). */
  public static QaExample unlabelled(String id, String question, String context) {
    return new QaExample(id, question, context, List.of(), false);
  }
}
