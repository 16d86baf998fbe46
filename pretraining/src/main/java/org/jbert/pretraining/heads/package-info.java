/**
 * BERT's pretraining heads as SameDiff graph code: the masked-LM head tied to the word embeddings and the
 * next-sentence head, with the losses of google-research/bert's run_pretraining.py. Built on
 * {@link org.jbert.core.graph.Ops}; variable names are {@link org.jbert.core.weights.CheckpointNames} canonical names.
 */
package org.jbert.pretraining.heads;
