package org.jbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.jbert.core.config.yaml.YamlBinder;
import org.jbert.eval.run.EvalConfig;
import org.jbert.finetune.run.FinetuneRunConfig;
import org.jbert.pretraining.run.PretrainRunConfig;
import org.junit.jupiter.api.Test;

/** Every shipped run file in configs/ binds to its record: a typo there would only show when a user runs it. */
class ConfigsTest {

  @Test
  void everyShippedConfigBinds() throws Exception {
    Path dir = Path.of("..", "configs");
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertTrue(files.size() >= 4, "configs found: " + files);
    int runs = 0;
    for (Path f : files) {
      var tree = YamlBinder.readTree(f);
      String task = tree.path("task").asText("");
      switch (task) {
        case PretrainRunConfig.TASK -> YamlBinder.bind(tree, PretrainRunConfig.class, f.toString());
        case FinetuneRunConfig.TASK -> YamlBinder.bind(tree, FinetuneRunConfig.class, f.toString());
        default -> YamlBinder.bind(tree, EvalConfig.class, f.toString());
      }
      if (!task.isEmpty()) runs++;
    }
    assertEquals(8, runs, "two pretraining configs and six fine-tuning configs");
  }
}
