package org.jbert.finetune.data;

import java.util.List;

/**
 * One sentence of a tagging file: a tag per token.
 *
 * @param source the file
 * @param firstLine 1-based line of the first token; token {@code i} is on line {@code firstLine + i}
 * @param tokens the words, as the file splits them
 * @param tags one tag per token
 */
public record TaggedSentence(String source, long firstLine, List<String> tokens, List<String> tags) {
  public TaggedSentence {
    tokens = List.copyOf(tokens);
    tags = List.copyOf(tags);
    if (tokens.size() != tags.size()) {
      throw new IllegalArgumentException(source + ":" + firstLine + ": " + tokens.size() + " tokens but "
          + tags.size() + " tags");
    }
  }

  /** {@code file:line} of token {@code i}. */
  public String where(int i) {
    return source + ":" + (firstLine + i);
  }

  /** {@code file:line} of the first token. */
  public String where() {
    return where(0);
  }
}
