/**
 * Task heads: the {@link org.jbert.finetune.head.TaskHead} interface, the built-in heads (sequence classification /
 * regression / multi-label, token classification, extractive QA), their losses and the registry
 * ({@link org.jbert.finetune.head.TaskHeads}). Head packages, like {@code org.jbert.core.graph}, may call SameDiff op
 * builders; shared pieces come from {@link org.jbert.core.graph.Ops} and {@link org.jbert.finetune.head.Losses}.
 *
 * <p>Shape legend: B batch, T sequence length, H hidden, C number of labels.
 */
package org.jbert.finetune.head;
