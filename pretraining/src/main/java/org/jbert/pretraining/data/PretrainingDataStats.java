package org.jbert.pretraining.data;

/**
 * Counts from one generation run.
 *
 * @param documents non-empty documents read (documents whose every line tokenizes to nothing are not counted)
 * @param sentences non-empty sentences (lines with at least one word piece)
 * @param shards shards the corpus was processed in
 * @param instances instances produced (over all dupe_factor passes)
 * @param tokens real tokens over all instances, [CLS] and [SEP] included (the sum of L)
 * @param maskedPositions positions selected for prediction over all instances
 * @param randomNext instances whose B is a random segment (next_sentence_label 1)
 * @param forcedRandomNext of those, the instances whose chunk was a single sentence, so that B had to be random (the
 *     original's rule); the other instances flip a fair coin, so randomNext - forcedRandomNext is about half of
 *     instances - forcedRandomNext
 */
public record PretrainingDataStats(
    long documents, long sentences, long shards, long instances, long tokens, long maskedPositions,
    long randomNext, long forcedRandomNext) {}
