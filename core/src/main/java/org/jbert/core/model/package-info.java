/**
 * The user-facing model API: {@link org.jbert.core.model.BertModel} (build, load, import, run, save, export) and
 * {@link org.jbert.core.model.EncoderResult} (outputs under TF Hub names).
 *
 * <p>jbert's own folder format is a Hugging Face folder plus {@code jbert.json}; see {@link
 * org.jbert.core.model.BertModel}.
 */
package org.jbert.core.model;
