package org.jbert.finetune.task;

import java.util.List;
import java.util.Map;
import org.jbert.core.JbertException;
import org.jbert.finetune.qa.QaPredictions;

/**
 * Gold labels and a model's predictions for one data file, the input of task metrics (which live in the eval module;
 * finetune does not compute them). One record per kind of task.
 */
public sealed interface TaskPredictions {

  /** Number of scored examples (sentences, questions). */
  int size();

  /**
   * Sequence classification.
   *
   * @param ids the examples' ids ({@code id} field, else {@code file:line})
   * @param gold [N] gold class ids
   * @param predicted [N] argmax class ids
   * @param labels the class names, id order
   */
  record Classes(List<String> ids, int[] gold, int[] predicted, List<String> labels) implements TaskPredictions {
    public Classes {
      ids = List.copyOf(ids);
      labels = List.copyOf(labels);
      if (gold.length != predicted.length || ids.size() != gold.length) {
        throw new JbertException(ids.size() + " ids, " + gold.length + " gold and " + predicted.length
            + " predicted labels; expected as many of each");
      }
    }

    @Override
    public int size() {
      return gold.length;
    }
  }

  /**
   * Regression (a head with one output).
   *
   * @param ids the examples' ids
   * @param gold [N] gold values
   * @param predicted [N] the model's outputs
   */
  record Values(List<String> ids, double[] gold, double[] predicted) implements TaskPredictions {
    public Values {
      ids = List.copyOf(ids);
      if (gold.length != predicted.length || ids.size() != gold.length) {
        throw new JbertException(ids.size() + " ids, " + gold.length + " gold and " + predicted.length
            + " predicted values; expected as many of each");
      }
    }

    @Override
    public int size() {
      return gold.length;
    }
  }

  /**
   * Token classification: one tag per word of every sentence, as seqeval takes them. A word's prediction is the
   * argmax at its first word piece; a word with no piece in the model's input (cut by max_seq_length, or a word the
   * tokenizer drops) is predicted "O".
   *
   * @param ids the sentences' {@code file:line}
   * @param gold the gold tags, sentence by sentence
   * @param predicted the predicted tags, the same lengths
   * @param labels the tag names, id order
   */
  record Tags(List<String> ids, List<List<String>> gold, List<List<String>> predicted, List<String> labels)
      implements TaskPredictions {
    public Tags {
      ids = List.copyOf(ids);
      gold = gold.stream().map(List::copyOf).toList();
      predicted = predicted.stream().map(List::copyOf).toList();
      labels = List.copyOf(labels);
      if (gold.size() != predicted.size() || ids.size() != gold.size()) {
        throw new JbertException(ids.size() + " ids, " + gold.size() + " gold and " + predicted.size()
            + " predicted sentences; expected as many of each");
      }
      for (int i = 0; i < gold.size(); i++) {
        if (gold.get(i).size() != predicted.get(i).size()) {
          throw new JbertException(ids.get(i) + ": " + gold.get(i).size() + " gold tags but " + predicted.get(i).size()
              + " predicted; expected one per word");
        }
      }
    }

    @Override
    public int size() {
      return gold.size();
    }
  }

  /**
   * Extractive QA, keyed by question id in file order: what the official SQuAD scripts take.
   *
   * @param gold each question's gold answer texts (empty for an unanswerable SQuAD v2.0 question)
   * @param predicted each question's predicted answer ("" = no answer)
   * @param nullOdds v2.0: each question's {@code null score - best span score} (the scripts' na-prob file); empty
   *     for v1.1
   * @param versionTwo true when scored as SQuAD v2.0 (the null answer competes)
   * @param details the n-best lists as well ({@link QaPredictions#write} writes run_squad.py's files)
   */
  record Answers(Map<String, List<String>> gold, Map<String, String> predicted, Map<String, Double> nullOdds,
      boolean versionTwo, QaPredictions details) implements TaskPredictions {
    public Answers {
      gold = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(gold));
      if (!gold.keySet().equals(predicted.keySet())) {
        throw new JbertException(gold.size() + " questions with gold answers but " + predicted.size()
            + " predictions for other ids; expected one prediction per question");
      }
    }

    @Override
    public int size() {
      return gold.size();
    }
  }
}
