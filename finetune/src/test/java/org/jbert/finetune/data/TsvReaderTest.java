package org.jbert.finetune.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jbert.core.JbertException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TsvReaderTest {
  @TempDir Path dir;

  /** Shaped like GLUE's MRPC: Quality, #1 ID, #2 ID, #1 String, #2 String. */
  private static final String MRPC = "Quality\t#1 ID\t#2 ID\t#1 String\t#2 String\r\n"
      + "1\t702876\t702977\tAmrozi accused his brother , whom he called \"the witness\" .\tReferring to him as"
      + " only \"the witness\" , Amrozi accused his brother .\r\n"
      + "\r\n"
      + "0\t2108705\t2108831\tYucaipa owned Dominick 's .\t\"Yucaipa bought Dominick 's\r\n";

  @Test
  void aByteOrderMarkAtTheStartIsDropped() throws Exception {
    Path p = dir.resolve("bom.tsv");
    Files.write(p, "\uFEFFlabel\ttext\npos\tgood\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    List<Example> ex = TsvReader.read(p, new TsvReader.Columns(1, TsvReader.NONE, 0, false));
    assertEquals(List.of("label", "pos"), ex.stream().map(Example::label).toList(),
        "the first cell is 'label', not '\\uFEFFlabel'");
  }

  @Test
  void readsChosenColumnsWithoutQuoting() throws Exception {
    Path p = dir.resolve("train.tsv");
    Files.writeString(p, MRPC);
    List<Example> ex = TsvReader.read(p, new TsvReader.Columns(3, 4, 0, true));
    assertEquals(2, ex.size(), "header and the empty line are skipped");
    assertEquals("Amrozi accused his brother , whom he called \"the witness\" .", ex.get(0).textA());
    assertEquals("1", ex.get(0).label());
    assertEquals(p + ":2", ex.get(0).where());
    // QUOTE_NONE: an unbalanced quote is an ordinary character, not the start of a multi-line field.
    assertEquals("\"Yucaipa bought Dominick 's", ex.get(1).textB());
    assertEquals(p + ":4", ex.get(1).where());

    List<Example> single = TsvReader.read(p, new TsvReader.Columns(3, TsvReader.NONE, TsvReader.NONE, true));
    assertNull(single.get(0).textB());
    assertTrue(single.get(0).labels().isEmpty());

    List<Example> withHeader = TsvReader.read(p, new TsvReader.Columns(3, 4, 0, false));
    assertEquals("Quality", withHeader.get(0).label(), "without skipHeader the header is a row");
  }

  @Test
  void aShortRowNamesFileLineAndBothColumnCounts() throws Exception {
    Path p = dir.resolve("dev.tsv");
    Files.writeString(p, "label\tsentence\n1\tgood movie\n0 bad movie\n");
    String m = assertThrows(JbertException.class,
        () -> TsvReader.read(p, new TsvReader.Columns(1, TsvReader.NONE, 0, true))).getMessage();
    assertEquals(p + ":3: 1 column; expected at least 2 tab-separated columns (text_a column 1, label column 0)", m);

    Path bad = dir.resolve("utf.tsv");
    Files.write(bad, new byte[] {'a', '\t', '1', '\n', 'b', (byte) 0xFF, '\t', '0', '\n'});
    m = assertThrows(JbertException.class,
        () -> TsvReader.read(bad, new TsvReader.Columns(0, TsvReader.NONE, 1, false))).getMessage();
    assertTrue(m.startsWith(bad + ":2: not valid UTF-8"), m);

    m = assertThrows(JbertException.class, () -> new TsvReader.Columns(-2, -1, 0, false)).getMessage();
    assertTrue(m.contains("-2"), m);
  }
}
