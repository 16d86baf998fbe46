/**
 * Task metrics in plain Java, each following a named reference implementation so that numbers can be compared with
 * what Python users see: {@link org.jbert.eval.metrics.ClassificationMetrics} (scikit-learn), {@link
 * org.jbert.eval.metrics.RegressionMetrics} (scipy.stats), {@link org.jbert.eval.metrics.SquadMetrics} (the official
 * SQuAD v1.1 and v2.0 evaluate scripts), {@link org.jbert.eval.metrics.EntityMetrics} (seqeval, default mode) and
 * {@link org.jbert.eval.metrics.MlmMetrics} (Google BERT's run_pretraining.py masked-LM metrics).
 */
package org.jbert.eval.metrics;
