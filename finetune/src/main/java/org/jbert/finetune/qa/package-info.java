/**
 * Extractive question answering (SQuAD v1.1 / v2.0) around the model: {@link org.jbert.finetune.qa.QaExample}s are
 * cut into sliding-window {@link org.jbert.finetune.qa.QaFeature}s by {@link org.jbert.finetune.qa.QaFeatureBuilder},
 * and the span head's start/end logits are turned back into answer texts, n-best lists and null odds by
 * {@link org.jbert.finetune.qa.QaPostProcessor}, both with the semantics of Google's {@code run_squad.py}. Plain int
 * and float arrays only: no SameDiff here.
 */
package org.jbert.finetune.qa;
