package org.jbert.finetune.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jbert.core.JbertException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelMapTest {
  @TempDir Path dir;

  @Test
  void trainingLabelsAreSortedIndependentlyOfExampleOrder() throws Exception {
    Path p = dir.resolve("train.jsonl");
    Files.writeString(p, """
        {"text": "a", "label": "spam"}
        {"text": "b", "label": "ham"}
        {"text": "c", "label": "spam"}
        {"text": "d", "label": "eggs"}
        """);
    List<Example> ex = new ArrayList<>(JsonLinesReader.read(p));
    LabelMap m = LabelMap.fromExamples(p.toString(), ex);
    assertEquals(List.of("eggs", "ham", "spam"), m.labels());
    Collections.reverse(ex);
    assertEquals(m, LabelMap.fromExamples(p.toString(), ex), "same map whatever the example order");
    assertEquals(0, m.id(ex.get(0)), "line 4, eggs");
    assertEquals(2, m.id(ex.get(3)), "line 1, spam");
    assertEquals("ham", m.label(1));
  }

  @Test
  void integerLabelsSortNumerically() {
    LabelMap m = LabelMap.fromLabels("f", List.of("10", "2", "0", "1", "2"));
    assertEquals(List.of("0", "1", "2", "10"), m.labels());
    assertEquals(List.of("10", "9a"), LabelMap.fromLabels("f", List.of("9a", "10")).labels(), "not all integers");
  }

  @Test
  void roundTripsThroughLabel2IdJson() throws Exception {
    LabelMap m = LabelMap.of(List.of("O", "B-PER", "I-PER"));
    Path f = dir.resolve("labels.json");
    m.save(f);
    String json = Files.readString(f);
    assertTrue(json.contains("\"label2id\"") && json.contains("\"B-PER\" : 1"), json);
    assertEquals(m, LabelMap.load(f));
    assertEquals(List.of("O", "B-PER", "I-PER"), LabelMap.load(f).labels(), "explicit order kept");
    try (var s = Files.list(dir)) {
      assertEquals(1, s.count(), "no temp file left behind");
    }
  }

  @Test
  void unknownLabelAtEvalTimeNamesFileLineLabelAndKnownLabels() throws Exception {
    LabelMap m = LabelMap.of(List.of("ham", "spam"));
    Path dev = dir.resolve("dev.jsonl");
    Files.writeString(dev, "{\"text\": \"a\", \"label\": \"spam\"}\n{\"text\": \"b\", \"label\": \"eggs\"}\n");
    List<Example> ex = JsonLinesReader.read(dev);
    assertEquals(1, m.id(ex.get(0)));
    String msg = assertThrows(JbertException.class, () -> m.id(ex.get(1))).getMessage();
    assertEquals(dev + ":2: unknown label \"eggs\"; known labels: [ham, spam]", msg);

    Path multi = dir.resolve("multi.jsonl");
    Files.writeString(multi, "{\"text\": \"a\", \"label\": [\"spam\", \"ham\"]}\n{\"text\": \"b\", \"label\": [\"x\"]}\n");
    List<Example> mx = JsonLinesReader.read(multi);
    assertArrayEquals(new float[] {1f, 1f}, m.multiHot(mx.get(0)));
    msg = assertThrows(JbertException.class, () -> m.multiHot(mx.get(1))).getMessage();
    assertEquals(multi + ":2: unknown label \"x\"; known labels: [ham, spam]", msg);

    Path conll = dir.resolve("dev.conll");
    Files.writeString(conll, "EU B-ORG\nrejects O\nit B-XYZ\n");
    TaggedSentence s = ConllReader.read(conll).get(0);
    LabelMap tags = LabelMap.of(List.of("O", "B-ORG"));
    msg = assertThrows(JbertException.class, () -> tags.ids(s)).getMessage();
    assertEquals(conll + ":3: unknown label \"B-XYZ\"; known labels: [O, B-ORG]", msg);
    LabelMap fromTrain = LabelMap.fromSentences(conll.toString(), List.of(s));
    assertArrayEquals(new int[] {0, 2, 1}, fromTrain.ids(s), "sorted: B-ORG, B-XYZ, O");
  }

  @Test
  void emptyOrUnlabeledTrainingSetNamesTheFile() throws Exception {
    Path empty = dir.resolve("empty.jsonl");
    Files.writeString(empty, "\n");
    String msg = assertThrows(JbertException.class,
        () -> LabelMap.fromExamples(empty.toString(), JsonLinesReader.read(empty))).getMessage();
    assertTrue(msg.startsWith(empty + ": the training set has no labels"), msg);

    Path unl = dir.resolve("unlabeled.jsonl");
    Files.writeString(unl, "{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"b\"}\n");
    msg = assertThrows(JbertException.class,
        () -> LabelMap.fromExamples(unl.toString(), JsonLinesReader.read(unl))).getMessage();
    assertEquals(unl + ":2: no \"label\"; every training example needs one", msg);
  }

  @Test
  void badLabelFilesAreErrorsNamingFileAndKey() throws Exception {
    Path f = dir.resolve("labels.json");
    Files.writeString(f, "{\"label2id\": {\"a\": 0, \"b\": 0}}");
    String msg = assertThrows(JbertException.class, () -> LabelMap.load(f)).getMessage();
    assertEquals(f + ": label2id.\"b\" is 0; expected distinct ids 0..1", msg);
    Files.writeString(f, "{\"id2label\": {\"0\": \"a\"}}");
    msg = assertThrows(JbertException.class, () -> LabelMap.load(f)).getMessage();
    assertTrue(msg.startsWith(f + ": missing \"label2id\""), msg);
    msg = assertThrows(JbertException.class, () -> LabelMap.of(List.of("a", "a"))).getMessage();
    assertTrue(msg.contains("label \"a\" is given twice"), msg);
  }
}
