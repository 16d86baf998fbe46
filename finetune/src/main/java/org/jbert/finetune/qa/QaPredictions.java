package org.jbert.finetune.qa;

import java.util.List;
import java.util.Map;

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
    Map<String, Double> nullOdds) {}
