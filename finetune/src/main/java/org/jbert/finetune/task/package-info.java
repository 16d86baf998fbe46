/**
 * Task data between files and a {@link org.jbert.finetune.TaskModel}, shared by fine-tuning runs and evaluation.
 *
 * <ul>
 *   <li>{@link org.jbert.finetune.task.DataFormat}: a file's format (JSON Lines, TSV, CoNLL, SQuAD, SpamAssassin) and
 *       how it becomes model inputs (max_seq_length, TSV columns, CoNLL tag column, SQuAD windows and answer
 *       extraction);</li>
 *   <li>{@link org.jbert.finetune.task.TaskKind}: sequence classification, token classification or extractive QA,
 *       read from a head's label placeholders (custom heads included);</li>
 *   <li>{@link org.jbert.finetune.task.TaskData}, one implementation per kind
 *       ({@link org.jbert.finetune.task.SequenceData}, {@link org.jbert.finetune.task.TaggingData},
 *       {@link org.jbert.finetune.task.QaData}): encoded rows, training batches, and predictions;</li>
 *   <li>{@link org.jbert.finetune.task.TaskPredictions}: gold labels next to predictions, the input of metrics;</li>
 *   <li>{@link org.jbert.finetune.task.TaskPredictor}: the whole prediction side for a model and a file, for the
 *       eval module.</li>
 * </ul>
 *
 * <p>Metrics are not computed here (finetune does not depend on eval). Shape legend: B batch, T sequence length,
 * C number of labels.
 */
package org.jbert.finetune.task;
