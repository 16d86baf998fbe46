package org.jbert.core.tokenize;

/**
 * One token of a text.
 *
 * @param text the vocabulary token ({@code "##ing"}, {@code "[UNK]"}, ...), or for {@link BasicTokenizer} output the
 *     normalized word
 * @param id the vocabulary id, or -1 for {@link BasicTokenizer} output (no vocabulary involved)
 * @param start first code point of the ORIGINAL text this token covers (0-based, in Unicode code points, not UTF-16
 *     chars), as Hugging Face's {@code offset_mapping} reports it
 * @param end one past the last covered code point
 */
public record Token(String text, int id, int start, int end) {}
