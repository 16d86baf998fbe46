/**
 * BERT's WordPiece tokenizer and the preprocessor that turns texts into model inputs, matching Hugging Face's
 * {@code BertTokenizer} (tokenizers backend) token for token, id for id and offset for offset.
 *
 * <p>Pipeline: {@link org.jbert.core.tokenize.BasicTokenizer} (special tokens kept whole, control characters removed,
 * whitespace split, CJK ideographs isolated, optional lower-casing with accent stripping, punctuation split), then
 * {@link org.jbert.core.tokenize.WordPieceTokenizer} on each word, wrapped by
 * {@link org.jbert.core.tokenize.BertTokenizer}; {@link org.jbert.core.tokenize.Preprocessor} adds [CLS]/[SEP],
 * truncates, pads and returns {@link org.jbert.core.tokenize.Features} (int [B, T] arrays).
 */
package org.jbert.core.tokenize;
