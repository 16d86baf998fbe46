package org.jbert.finetune.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.core.io.Utf8Lines;

/**
 * Reads GLUE-style TSV files: fields separated by tabs with no quoting at all (Python's {@code csv.QUOTE_NONE}, as
 * the GLUE processors read them), so a {@code "} is an ordinary character and a field never holds a tab or a line
 * break. Columns are chosen by 0-based index. Empty lines are skipped; every error names {@code file:line}.
 */
public final class TsvReader {

  /** No column: for an absent second segment or an unlabeled (test) file. */
  public static final int NONE = -1;

  /**
   * Which columns to read.
   *
   * @param textA column of the first segment
   * @param textB column of the second segment, or {@link #NONE}
   * @param label column of the label, or {@link #NONE} for unlabeled files
   * @param skipHeader true when the first line holds column names
   */
  public record Columns(int textA, int textB, int label, boolean skipHeader) {
    public Columns {
      if (textA < 0) throw new JbertException("TSV text_a column " + textA + " is negative; expected a 0-based index");
      if (textB < NONE) throw new JbertException("TSV text_b column " + textB + "; expected a 0-based index or -1");
      if (label < NONE) throw new JbertException("TSV label column " + label + "; expected a 0-based index or -1");
    }

    /** The number of columns a row needs: one more than the largest chosen index. */
    public int needed() {
      return Math.max(textA, Math.max(textB, label)) + 1;
    }

    private String describe() {
      StringBuilder b = new StringBuilder("text_a column ").append(textA);
      if (textB != NONE) b.append(", text_b column ").append(textB);
      if (label != NONE) b.append(", label column ").append(label);
      return b.toString();
    }
  }

  private TsvReader() {}

  /** Every row of {@code file} (after the header, when {@code columns.skipHeader()}) as an example. */
  public static List<Example> read(Path file, Columns columns) {
    List<Example> out = new ArrayList<>();
    try (Utf8Lines in = Utf8Lines.open(file, "input file")) {
      boolean header = columns.skipHeader();
      for (String line = in.next(); line != null; line = in.next()) {
        if (header) {
          header = false;
          continue;
        }
        if (line.isEmpty()) continue;
        String where = file + ":" + in.number();
        String[] f = line.split("\t", -1);
        if (f.length < columns.needed()) {
          throw new JbertException(where + ": " + f.length + (f.length == 1 ? " column" : " columns")
              + "; expected at least " + columns.needed() + " tab-separated columns (" + columns.describe() + ")");
        }
        out.add(Example.text(where, f[columns.textA()], columns.textB() == NONE ? null : f[columns.textB()],
            columns.label() == NONE ? null : f[columns.label()]));
      }
    }
    return out;
  }
}
