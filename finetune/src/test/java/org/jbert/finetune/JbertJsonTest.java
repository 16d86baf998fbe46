package org.jbert.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.finetune.head.HeadContext;
import org.jbert.finetune.head.SequenceClassificationHead;
import org.jbert.testing.HfTiny;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jbert.json is bound by the project's Jackson mapper: what save writes reads back, bad files are one-line errors. */
class JbertJsonTest {
  @TempDir Path tmp;

  @Test
  void savedJbertJsonBindsAndBadOnesAreNamed() throws Exception {
    Path dir = tmp.resolve("m");
    BertConfig c = BertConfig.fromFolder(HfTiny.folder());
    HeadContext ctx = HeadContext.of(c, 3).withLabelNames(List.of("neg", "pos", "neutral"));
    try (TaskModel m = TaskModel.random(new SequenceClassificationHead(), ctx, 1)) {
      m.save(dir);
    }
    Path file = dir.resolve("jbert.json");
    JbertJson j = JbertJson.read(file);
    assertEquals("jbert", j.format());
    JbertJson.Head h = j.head().orElseThrow();
    assertEquals("sequence_classification", h.type());
    assertEquals(3, h.numLabels());
    assertEquals("single_label_classification", h.problemType());
    assertEquals(java.util.Map.of("0", "neg", "1", "pos", "2", "neutral"), h.id2label());
    assertEquals(List.of("neg", "pos", "neutral"), TaskModelFiles.load(dir).labelNames());

    String good = Files.readString(file);
    Files.writeString(file, good.replace("\"num_labels\" : 3", "\"num_labels\" : \"three\""));
    String m = assertThrows(JbertException.class, () -> TaskModelFiles.load(dir)).getMessage();
    assertTrue(m.startsWith(file + ": head.num_labels") && m.contains("expected an integer"), m);
    Files.writeString(file, good.replace("\"format\"", "\"colour\" : \"red\", \"format\""));
    m = assertThrows(JbertException.class, () -> TaskModelFiles.storedHead(dir)).getMessage();
    assertTrue(m.startsWith(file + ": unknown key colour; allowed keys at the top level"), m);
    Files.writeString(file, good.replace("\"format_version\" : 1", "\"format_version\" : 7"));
    assertEquals(file + ": format_version 7 is not supported; expected 1",
        assertThrows(JbertException.class, () -> TaskModelFiles.load(dir)).getMessage());
  }
}
