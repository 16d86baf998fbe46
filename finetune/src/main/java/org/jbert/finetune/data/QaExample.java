package org.jbert.finetune.data;

import java.util.List;

/**
 * One SQuAD question with its context paragraph.
 *
 * <p>Offsets are in Unicode code points, as SQuAD's {@code answer_start} (a Python string index) and the tokenizer's
 * offsets are; for a context without characters outside the BMP they equal Java {@code String} indices.
 *
 * @param where {@code file: question <id>}, the prefix of every message about it
 * @param id the question id
 * @param question the question text
 * @param context the paragraph
 * @param answers the gold answers in file order (training uses the first; SQuAD's dev files give several); empty
 *     when {@code impossible}
 * @param impossible SQuAD v2.0's {@code is_impossible}: the paragraph does not answer the question
 */
public record QaExample(String where, String id, String question, String context, List<Answer> answers,
    boolean impossible) {

  /**
   * A gold answer: {@code context[start, end)} (code points) equals {@code text}.
   *
   * @param text the answer text
   * @param start SQuAD's {@code answer_start}
   * @param end {@code start} plus the length of {@code text} in code points (exclusive)
   */
  public record Answer(String text, int start, int end) {}

  public QaExample {
    answers = List.copyOf(answers);
  }
}
