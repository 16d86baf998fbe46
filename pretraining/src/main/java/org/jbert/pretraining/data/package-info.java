/**
 * Pretraining data: masked-LM and next-sentence instances from a sentence-per-line corpus, with the semantics of
 * Google's {@code create_pretraining_data.py} ({@link org.jbert.pretraining.data.PretrainingDataGenerator}), options
 * with the original's defaults ({@link org.jbert.pretraining.data.PretrainingDataOptions}), and JSON Lines output
 * padded like the original's TFRecords ({@link org.jbert.pretraining.data.InstanceWriter}). The corpus is streamed in
 * shards, so memory stays bounded; instances are written as they are produced.
 */
package org.jbert.pretraining.data;
