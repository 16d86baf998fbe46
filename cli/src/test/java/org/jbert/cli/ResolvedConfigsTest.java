package org.jbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.jbert.core.config.RunConfig;
import org.jbert.core.config.yaml.YamlBinder;
import org.jbert.eval.run.EvalConfig;
import org.junit.jupiter.api.Test;

/**
 * Every shipped config, bound the way {@code run} and {@code eval} bind it, written back as its
 * {@code config.resolved.yaml} is written (Jackson's record serialization) and read again, is the same config.
 */
class ResolvedConfigsTest {

  @Test
  void everyShippedConfigReadsBackEqual() throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.list(Path.of("..", "configs"))) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    int runs = 0;
    int evals = 0;
    for (Path f : files) {
      boolean run = YamlBinder.readTree(f).path("task").isTextual();
      Record c = run ? (Record) YamlBinder.load(f, RunConfig.class, RunCommand.RUNS, List.of())
          : YamlBinder.load(f, EvalConfig.class, List.of());
      String yaml = YamlBinder.toYaml(c);
      var tree = YamlBinder.parse(yaml, "resolved");
      Record back = run ? (Record) RunCommand.RUNS.bind(tree, RunConfig.class, "resolved")
          : YamlBinder.bind(tree, EvalConfig.class, "resolved");
      assertEquals(c, back, f + " written as\n" + yaml);
      if (run) runs++;
      else evals++;
    }
    assertEquals(8, runs, "two pretraining configs and six fine-tuning configs");
    assertTrue(evals >= 2, "eval configs: " + evals);
  }
}
