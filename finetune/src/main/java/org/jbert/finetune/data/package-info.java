/**
 * Task data for fine-tuning: readers that turn files into typed examples, label maps, and prepared data sets.
 *
 * <ul>
 *   <li>{@link org.jbert.finetune.data.JsonLinesReader}, {@link org.jbert.finetune.data.TsvReader} -&gt;
 *       {@link org.jbert.finetune.data.Example} (sequence classification, regression, multi-label);</li>
 *   <li>{@link org.jbert.finetune.data.SquadReader} -&gt; {@link org.jbert.finetune.data.QaExample} (span QA);</li>
 *   <li>{@link org.jbert.finetune.data.ConllReader} -&gt; {@link org.jbert.finetune.data.TaggedSentence} (tagging);</li>
 *   <li>{@link org.jbert.finetune.data.LabelMap}: label strings to ids 0..n-1, saved as {@code label2id} JSON.</li>
 * </ul>
 *
 * <p>The SpamAssassin corpus and its splits live in the {@code datasets} module ({@code org.jbert.datasets}).
 *
 * <p>Every error in the input is a {@link org.jbert.core.JbertException} whose one-line message starts with
 * {@code file:line} (SQuAD: {@code file: question <id>}) and names the bad value and what was expected.
 */
package org.jbert.finetune.data;
