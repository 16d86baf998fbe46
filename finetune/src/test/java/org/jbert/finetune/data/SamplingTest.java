package org.jbert.finetune.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SamplingTest {
  @TempDir Path dir;

  /** The SpamAssassin bug: a file sorted by label (1400 ham, then 600 spam) must keep both labels in a sample. */
  @Test
  void aSampleOfAFileSortedByLabelKeepsBothLabelsInFileOrder() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      lines.add("{\"id\": " + i + ", \"text\": \"mail " + i + "\", \"label\": \"" + (i < 1400 ? "ham" : "spam") + "\"}");
    }
    Path f = dir.resolve("sorted.jsonl");
    Files.write(f, lines);
    List<Example> all = JsonLinesReader.read(f);
    List<Example> s = Sampling.sample(all, 200, 42);
    assertEquals(200, s.size());
    Map<String, Integer> counts = new TreeMap<>();
    for (Example e : s) counts.merge(e.label(), 1, Integer::sum);
    assertEquals(List.of("ham", "spam"), List.copyOf(counts.keySet()), "both labels survive: " + counts);
    // Roughly in proportion (70/30): far from the first-N answer (200 ham, 0 spam).
    assertTrue(counts.get("spam") > 30 && counts.get("spam") < 90, "spam count " + counts);
    int[] ids = s.stream().mapToInt(e -> Integer.parseInt(e.id())).toArray();
    for (int i = 1; i < ids.length; i++) assertTrue(ids[i - 1] < ids[i], "file order kept at " + i);
    assertEquals(LabelMap.of(List.of("ham", "spam")), LabelMap.fromExamples("sample", s));
  }

  @Test
  void theSeedDecidesTheSample() {
    List<Integer> items = IntStream.range(0, 100).boxed().toList();
    assertEquals(Sampling.sample(items, 10, 7), Sampling.sample(items, 10, 7));
    assertNotEquals(Sampling.sample(items, 10, 7), Sampling.sample(items, 10, 8));
    assertSame(items, Sampling.sample(items, 100, 7), "n >= size: everything");
    assertEquals(List.of(), Sampling.sample(items, 0, 7));
  }
}
