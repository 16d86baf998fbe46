package org.jbert.finetune.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jbert.core.JbertException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesReaderTest {
  @TempDir Path dir;

  private Path file(String name, String content) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, content);
    return p;
  }

  private String error(Path p) {
    return assertThrows(JbertException.class, () -> JsonLinesReader.read(p)).getMessage();
  }

  @Test
  void readsTextExamplesWithStringNumberAndListLabels() throws Exception {
    Path p = file("a.jsonl", """
        {"text": "a cat", "text_b": "a dog", "label": "entailment", "id": "q1"}

        {"text": "no label"}
        {"text": "numeric", "label": 3.5, "id": 7}
        """);
    List<Example> ex = JsonLinesReader.read(p);
    assertEquals(3, ex.size());
    Example a = ex.get(0);
    assertEquals("a cat", a.textA());
    assertEquals("a dog", a.textB());
    assertEquals("entailment", a.label());
    assertEquals("q1", a.id());
    assertEquals(p + ":1", a.where());
    assertFalse(a.isTokenized());
    Example b = ex.get(1);
    assertEquals(p + ":3", b.where(), "blank line 2 is skipped but still counted");
    assertNull(b.textB());
    assertFalse(b.hasLabel());
    assertEquals(p + ":3", b.id(), "id defaults to file:line");
    assertEquals(3.5, ex.get(2).labelValue());
    assertEquals("7", ex.get(2).id());

    Path m = file("m.jsonl", """
        {"text": "x", "label": ["sports", "politics"]}
        {"text": "y", "label": []}
        {"text": "z", "label": [1, "b"]}
        """);
    List<Example> multi = JsonLinesReader.read(m);
    assertEquals(List.of("sports", "politics"), multi.get(0).labels());
    assertTrue(multi.get(0).multiLabel());
    assertTrue(multi.get(1).multiLabel() && multi.get(1).labels().isEmpty());
    assertEquals(List.of("1", "b"), multi.get(2).labels());
    String msg = assertThrows(JbertException.class, multi.get(0)::label).getMessage();
    assertTrue(msg.startsWith(m + ":1: ") && msg.contains("[sports, politics]"), msg);
  }

  @Test
  void readsPreTokenizedLinesWithBothNameSetsAndDefaults() throws Exception {
    Path p = file("t.jsonl", """
        {"input_ids": [101, 7, 102], "input_mask": [1, 1, 1], "segment_ids": [0, 0, 0], "label": 1}
        {"input_word_ids": [101, 8, 102, 0], "input_type_ids": [0, 0, 1, 0], "input_mask": [1, 1, 1, 0]}
        {"input_ids": [101, 9]}
        """);
    List<Example> ex = JsonLinesReader.read(p);
    assertTrue(ex.get(0).isTokenized());
    assertArrayEquals(new int[] {101, 7, 102}, ex.get(0).tokens().inputIds());
    assertEquals("1", ex.get(0).label());
    assertArrayEquals(new int[] {101, 8, 102, 0}, ex.get(1).tokens().inputIds());
    assertArrayEquals(new int[] {0, 0, 1, 0}, ex.get(1).tokens().segmentIds());
    assertArrayEquals(new int[] {1, 1, 1, 0}, ex.get(1).tokens().inputMask());
    assertArrayEquals(new int[] {1, 1}, ex.get(2).tokens().inputMask(), "mask defaults to ones");
    assertArrayEquals(new int[] {0, 0}, ex.get(2).tokens().segmentIds(), "segments default to zeros");
  }

  @Test
  void readsStandardInputUnderAGivenName() {
    byte[] in = "{\"text\": \"hi\", \"label\": \"pos\"}\n".getBytes(StandardCharsets.UTF_8);
    List<Example> ex = JsonLinesReader.read("stdin", new ByteArrayInputStream(in));
    assertEquals("stdin:1", ex.get(0).where());
    assertEquals("pos", ex.get(0).label());
  }

  @Test
  void everyBadLineIsNamedByFileAndLine() throws Exception {
    String m = error(file("bad.jsonl", "{\"text\": \"ok\"}\n{\"text\": \"unterminated}\n"));
    assertTrue(m.startsWith(dir.resolve("bad.jsonl") + ":2: not valid JSON"), m);

    Path utf = dir.resolve("utf.jsonl");
    Files.write(utf, new byte[] {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xC3, '"', '}', '\n'});
    m = error(utf);
    assertTrue(m.startsWith(utf + ":1: not valid UTF-8"), m);

    m = error(file("missing.jsonl", "{\"text\": \"ok\"}\n{\"label\": \"x\"}\n"));
    assertTrue(m.startsWith(dir.resolve("missing.jsonl") + ":2: missing \"text\"") && m.contains("input_ids"), m);

    m = error(file("mixed.jsonl", "{\"text\": \"ok\"}\n{\"input_ids\": [1, 2]}\n"));
    assertTrue(m.startsWith(dir.resolve("mixed.jsonl") + ":2: ") && m.contains("first example (")
        && m.contains("mixed.jsonl:1"), m);

    m = error(file("both.jsonl", "{\"text\": \"ok\", \"input_ids\": [1]}\n"));
    assertTrue(m.startsWith(dir.resolve("both.jsonl") + ":1: has both \"text\" and \"input_ids\""), m);

    m = error(file("lab.jsonl", "{\"text\": \"ok\", \"label\": {\"a\": 1}}\n"));
    assertTrue(m.startsWith(dir.resolve("lab.jsonl") + ":1: \"label\" is {\"a\":1}"), m);

    m = error(file("kinds.jsonl", "{\"text\": \"a\", \"label\": [\"x\"]}\n{\"text\": \"b\", \"label\": \"x\"}\n"));
    assertTrue(m.startsWith(dir.resolve("kinds.jsonl") + ":2: \"label\" is a single value") && m.contains(":1"), m);

    m = error(file("len.jsonl", "{\"input_ids\": [1, 2, 3], \"input_mask\": [1, 1]}\n"));
    assertTrue(m.startsWith(dir.resolve("len.jsonl") + ":1: \"input_mask\" has 2 values; expected 3"), m);

    m = error(file("neg.jsonl", "{\"input_ids\": [1, -4]}\n"));
    assertTrue(m.startsWith(dir.resolve("neg.jsonl") + ":1: \"input_ids\"[1] is -4"), m);

    m = error(file("mask.jsonl", "{\"input_ids\": [1, 2], \"input_mask\": [1, 2]}\n"));
    assertTrue(m.startsWith(dir.resolve("mask.jsonl") + ":1: \"input_mask\"[1] is 2; expected an integer in [0, 1]"),
        m);

    m = error(file("alias.jsonl", "{\"input_ids\": [1], \"input_word_ids\": [1]}\n"));
    assertTrue(m.contains(":1: has both \"input_ids\" and \"input_word_ids\""), m);

    Path notNumber = file("reg.jsonl", "{\"text\": \"a\", \"label\": \"high\"}\n");
    m = assertThrows(JbertException.class, () -> JsonLinesReader.read(notNumber).get(0).labelValue()).getMessage();
    assertTrue(m.startsWith(notNumber + ":1: label \"high\" is not a finite number"), m);

    m = assertThrows(JbertException.class, () -> JsonLinesReader.read(dir.resolve("nope.jsonl"))).getMessage();
    assertTrue(m.contains("nope.jsonl") && m.contains("not found"), m);
  }
}
