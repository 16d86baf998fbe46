package org.jbert.finetune.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.core.io.Utf8Lines;

/**
 * Reads CoNLL-2003-style tagging files: one token per line as whitespace-separated columns (token first, the tag in
 * the last column unless another is chosen, e.g. {@code EU NNP B-NP B-ORG}), a blank line between sentences, and
 * {@code -DOCSTART-} lines (document breaks) skipped. Every error names {@code file:line}.
 */
public final class ConllReader {

  /** Tag column value meaning "the last column" (CoNLL-2003's NER tags). */
  public static final int LAST = -1;

  private ConllReader() {}

  /** The sentences of {@code file} with the tag in the last column. */
  public static List<TaggedSentence> read(Path file) {
    return read(file, LAST);
  }

  /**
   * The sentences of {@code file}, with tags from the 0-based {@code tagColumn} (at least 1, since column 0 is the
   * token) or {@link #LAST}.
   */
  public static List<TaggedSentence> read(Path file, int tagColumn) {
    if (tagColumn != LAST && tagColumn < 1) {
      throw new JbertException(file + ": tag column " + tagColumn
          + " is not valid; expected a 0-based index >= 1 (column 0 is the token) or -1 for the last column");
    }
    int needed = tagColumn == LAST ? 2 : tagColumn + 1;
    List<TaggedSentence> out = new ArrayList<>();
    List<String> tokens = new ArrayList<>();
    List<String> tags = new ArrayList<>();
    long first = 0;
    try (Utf8Lines in = Utf8Lines.open(file, "input file")) {
      for (String line = in.next(); ; line = in.next()) {
        String trimmed = line == null ? "" : line.strip();
        if (trimmed.isEmpty() || trimmed.startsWith("-DOCSTART-")) {
          if (!tokens.isEmpty()) {
            out.add(new TaggedSentence(file.toString(), first, tokens, tags));
            tokens.clear();
            tags.clear();
          }
          if (line == null) break;
          continue;
        }
        String[] cols = trimmed.split("\\s+");
        if (cols.length < needed) {
          throw new JbertException(file + ":" + in.number() + ": " + cols.length
              + (cols.length == 1 ? " column" : " columns") + "; expected at least " + needed
              + " whitespace-separated columns (token first, tag in "
              + (tagColumn == LAST ? "the last column" : "column " + tagColumn) + ")");
        }
        if (tokens.isEmpty()) first = in.number();
        tokens.add(cols[0]);
        tags.add(cols[tagColumn == LAST ? cols.length - 1 : tagColumn]);
      }
    }
    return out;
  }
}
