/**
 * Fine-tuning: {@link org.jbert.finetune.TaskModel} (a BERT encoder and a task head in one SameDiff), its
 * {@link org.jbert.finetune.Batch} input; a TaskModel is a {@link org.jbert.core.train.Trainable} of batches, so the
 * core {@link org.jbert.core.train.Trainer} trains it.
 *
 * <p>Design notes. Heads are stateless and get everything from {@link org.jbert.finetune.head.HeadContext}, so one
 * registered instance serves every model; the context travels with the outputs
 * ({@link org.jbert.finetune.head.HeadOutputs#context()}) so that {@code loss} sees e.g. the problem type while the
 * interface keeps DESIGN.md's three-argument shape. Besides DESIGN.md's {@code scope/build/loss}, a head declares
 * {@code type} (its registry name), {@code weights} (its rows of the name table, so import, save, export and
 * initialization need no head-specific code, and a head that creates an undeclared variable fails at build time),
 * {@code labels} (placeholder specs) and optionally {@code usesPooler} and {@code huggingFaceArchitecture}. HF's
 * token-classification and QA models have no pooler, so the encoder is built without one for them; otherwise an
 * HF import would miss weights and a gradient would be absent.
 *
 * <p>Shape legend: B batch, T sequence length, H hidden, C number of labels.
 */
package org.jbert.finetune;
