package org.jbert.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.core.tokenize.Vocab;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one line reader: BOM at the start dropped (issue 15 item 8), CRLF, line-numbered UTF-8 errors. */
class Utf8LinesTest {
  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
  @TempDir Path dir;

  private static byte[] bom(String text) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(BOM);
    b.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    return b.toByteArray();
  }

  private static List<String> all(byte[] bytes) {
    List<String> out = new ArrayList<>();
    try (Utf8Lines in = Utf8Lines.of("mem", new ByteArrayInputStream(bytes))) {
      for (String l = in.next(); l != null; l = in.next()) out.add(l);
    }
    return out;
  }

  @Test
  void dropsAByteOrderMarkAtTheStartOnly() {
    assertEquals(List.of("a", "b\uFEFF", "\uFEFFc"), all(bom("a\r\nb\uFEFF\n\uFEFFc")));
    assertEquals(List.of("\uFEFF", "x"), all(bom("\uFEFF\nx\n")), "only the first mark is the BOM");
    assertEquals(List.of(""), all(BOM), "a file holding only a BOM is one empty line");
    assertEquals(List.of("a", ""), all("a\n\n".getBytes(StandardCharsets.UTF_8)));
    assertEquals(List.of(), all(new byte[0]));
  }

  @Test
  void badUtf8NamesItsLine() {
    byte[] bad = {'o', 'k', '\n', 'x', (byte) 0xC3, '\n'};
    JbertException e = assertThrows(JbertException.class, () -> all(bad));
    assertEquals("mem:2: not valid UTF-8 (bad byte sequence); expected UTF-8 text", e.getMessage());
  }

  @Test
  void missingFileAndDirectoryNameTheKind() {
    Path missing = dir.resolve("nope.txt");
    assertEquals(missing + ": corpus file not found",
        assertThrows(JbertException.class, () -> Utf8Lines.open(missing, "corpus file")).getMessage());
    assertEquals(dir + ": is a directory; expected an input file",
        assertThrows(JbertException.class, () -> Utf8Lines.open(dir, "input file")).getMessage());
  }

  @Test
  void jsonLinesWithAByteOrderMarkParse() throws Exception {
    Path p = dir.resolve("rows.jsonl");
    Files.write(p, bom("{\"text\": \"caf\u00e9\"}\r\n\n{\"text\": \"b\"}\n"));
    List<String> texts = new ArrayList<>();
    List<String> where = new ArrayList<>();
    try (JsonLines in = JsonLines.open(p)) {
      in.forEach(l -> {
        texts.add(l.requireText("text"));
        where.add(l.where());
      });
    }
    assertEquals(List.of("caf\u00e9", "b"), texts);
    assertEquals(List.of(p + ":1", p + ":3"), where);
  }

  @Test
  void vocabWithAByteOrderMarkKeepsItsIds() throws Exception {
    Path p = dir.resolve("vocab.txt");
    Files.write(p, bom("[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n"));
    Vocab v = Vocab.load(p);
    assertEquals(5, v.size());
    assertEquals(0, v.padId());
    assertEquals("[PAD]", v.token(0));
    assertEquals(4, v.id("hello").getAsInt());
    Path bad = dir.resolve("bad.txt");
    Files.write(bad, new byte[] {'[', 'U', 'N', 'K', ']', '\n', (byte) 0xFF, '\n'});
    assertEquals("vocabulary file " + bad + " line 2 is not valid UTF-8; expected a UTF-8 vocab.txt",
        assertThrows(JbertException.class, () -> Vocab.load(bad)).getMessage());
  }
}
