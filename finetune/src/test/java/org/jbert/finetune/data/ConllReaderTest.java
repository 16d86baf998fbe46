package org.jbert.finetune.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jbert.core.JbertException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConllReaderTest {
  @TempDir Path dir;

  /** The first lines of CoNLL-2003's eng.train layout: token, POS, chunk, NER. */
  private static final String CONLL = """
      -DOCSTART- -X- -X- O

      EU NNP B-NP B-ORG
      rejects VBZ B-VP O
      German JJ B-NP B-MISC
      call NN I-NP O
      . . O O

      Peter NNP B-NP B-PER
      Blackburn NNP I-NP I-PER

      -DOCSTART- -X- -X- O

      BRUSSELS NNP B-NP B-LOC
      """;

  @Test
  void readsSentencesSkippingDocStarts() throws Exception {
    Path p = dir.resolve("eng.train");
    Files.writeString(p, CONLL);
    List<TaggedSentence> s = ConllReader.read(p);
    assertEquals(3, s.size());
    assertEquals(List.of("EU", "rejects", "German", "call", "."), s.get(0).tokens());
    assertEquals(List.of("B-ORG", "O", "B-MISC", "O", "O"), s.get(0).tags());
    assertEquals(p + ":3", s.get(0).where());
    assertEquals(p + ":5", s.get(0).where(2));
    assertEquals(List.of("B-PER", "I-PER"), s.get(1).tags());
    assertEquals(List.of("BRUSSELS"), s.get(2).tokens());
    assertEquals(p + ":14", s.get(2).where(), "last sentence, no blank line after it");

    List<TaggedSentence> chunks = ConllReader.read(p, 2);
    assertEquals(List.of("B-NP", "B-VP", "B-NP", "I-NP", "O"), chunks.get(0).tags());
  }

  @Test
  void aByteOrderMarkAtTheStartIsDropped() throws Exception {
    Path p = dir.resolve("bom.conll");
    Files.write(p, ("\uFEFFNew B-LOC\nYork I-LOC\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    List<TaggedSentence> s = ConllReader.read(p);
    assertEquals(List.of("New", "York"), s.get(0).tokens());
    assertEquals(List.of("B-LOC", "I-LOC"), s.get(0).tags());
  }

  @Test
  void tabsAndCrLfAreWhitespace() throws Exception {
    Path p = dir.resolve("t.conll");
    Files.writeString(p, "New\tB-LOC\r\nYork\t I-LOC\r\n\r\n");
    List<TaggedSentence> s = ConllReader.read(p);
    assertEquals(List.of("New", "York"), s.get(0).tokens());
    assertEquals(List.of("B-LOC", "I-LOC"), s.get(0).tags());
  }

  @Test
  void tooFewColumnsNamesFileLineAndCounts() throws Exception {
    Path p = dir.resolve("bad.conll");
    Files.writeString(p, "EU B-ORG\nrejects\n");
    String m = assertThrows(JbertException.class, () -> ConllReader.read(p)).getMessage();
    assertEquals(p + ":2: 1 column; expected at least 2 whitespace-separated columns (token first, tag in the last"
        + " column)", m);
    Path q = dir.resolve("four.conll");
    Files.writeString(q, CONLL);
    m = assertThrows(JbertException.class, () -> ConllReader.read(q, 4)).getMessage();
    assertEquals(q + ":3: 4 columns; expected at least 5 whitespace-separated columns (token first, tag in column 4)",
        m);
    m = assertThrows(JbertException.class, () -> ConllReader.read(q, 0)).getMessage();
    assertEquals(q + ": tag column 0 is not valid; expected a 0-based index >= 1 (column 0 is the token) or -1 for"
        + " the last column", m);
  }
}
