package org.jbert.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jbert.core.JbertException;
import org.jbert.core.config.yaml.YamlBinder;
import org.jbert.core.config.yaml.YamlTrees;
import org.jbert.core.train.TrainConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Aliases, YAML's special floats, the alias-bomb limits and the task-chosen run type (issue 15 item 9, issue 12). */
class ConfigMapperTest {

  record Files2(String train, String dev, String test) {}

  record Run(String name, Files2 data, TrainConfig train, Map<String, Double> min) {}

  private static Run bind(String yaml) {
    return YamlBinder.bind(YamlBinder.parse(yaml, "run.yaml"), Run.class, "run.yaml");
  }

  private static String error(String yaml) {
    return assertThrows(JbertException.class, () -> bind(yaml)).getMessage();
  }

  @Test
  void aliasesResolveToTheAnchoredValue() {
    Run r = bind("name: &OUT runs/demo\n"
        + "data: {train: &TR data.jsonl, dev: *TR, test: *TR}\n"
        + "train: {output_dir: *OUT, lr: &LR 2e-5, adam_eps: *LR}\n");
    assertEquals("data.jsonl", r.data().dev());
    assertEquals("data.jsonl", r.data().test());
    assertEquals("runs/demo", r.train().outputDir());  // not ./OUT
    assertEquals(2e-5, r.train().adamEps(), 0);
    // an alias of a mapping, and a merge key that fills what the mapping does not set itself
    Run m = bind("name: x\ndata: &D {train: a, dev: b, test: c}\nmin: {<<: {lr: 1.0, wd: 2.0}, wd: 3.0}\n"
        + "train: {output_dir: o}\n");
    assertEquals(Map.of("lr", 1.0, "wd", 3.0), m.min());
    assertEquals(new Files2("a", "b", "c"), m.data());
  }

  @Test
  void anUndefinedAliasOrARepeatedKeyIsNotValidYaml() {
    String e = error("name: *NOPE\n");
    assertTrue(e.startsWith("run.yaml: not valid YAML (found undefined alias NOPE"), e);
    e = error("name: x\ndata: &D {train: a, dev: b, test: c, dev: d}\n");
    assertTrue(e.startsWith("run.yaml: not valid YAML (Duplicate field 'dev' at line 2"), e);
  }

  @Test
  void infinityAndNanGetTheKeyNamedRangeError() {
    String base = "name: x\ndata: {train: a, dev: b, test: c}\n";
    assertEquals("run.yaml: train.lr is Infinity; expected a finite number", error(base + "train: {lr: .inf}\n"));
    assertEquals("run.yaml: train.lr is -Infinity; expected a finite number", error(base + "train: {lr: -.Inf}\n"));
    assertEquals("run.yaml: train.weight_decay is NaN; expected a finite number",
        error(base + "train: {weight_decay: .nan}\n"));
    assertEquals("run.yaml: min.f1 is Infinity; expected a finite number", error(base + "min: {f1: '.inf'}\n"));
    var tree = YamlBinder.parse(base, "run.yaml");
    assertEquals("--set train.lr=.inf: train.lr is Infinity; expected a finite number",
        assertThrows(JbertException.class, () -> YamlBinder.applyOverride(tree, Run.class, "train.lr=.inf"))
            .getMessage());
  }

  @Test
  void anAliasBombFailsFastWithOneLine() {
    // the classic: 9 aliases per level, more than SnakeYAML's 50 aliases of collections
    StringBuilder lol = new StringBuilder("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (char c = 'b'; c <= 'i'; c++) {
      char p = (char) (c - 1);
      lol.append(c).append(": &").append(c).append(" [*").append(p).append(", *").append(p).append(", *").append(p)
          .append(", *").append(p).append(", *").append(p).append(", *").append(p).append(", *").append(p)
          .append(", *").append(p).append(", *").append(p).append("]\n");
    }
    String e = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> error(lol.toString()));
    assertTrue(e.startsWith("run.yaml: not valid YAML (Number of aliases for non-scalar nodes exceeds"), e);
    assertEquals(1, e.lines().count());
    // under the alias count (48), but doubling 24 times: refused by the expansion limit, not by running out of memory
    StringBuilder doubling = new StringBuilder("l0: &l0 [x, x]\n");
    for (int i = 1; i <= 24; i++) doubling.append("l").append(i).append(": &l").append(i).append(" [*l").append(i - 1)
        .append(", *l").append(i - 1).append("]\n");
    e = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> error(doubling.toString()));
    assertTrue(e.startsWith("run.yaml: not valid YAML (the document expands to more than " + YamlTrees.MAX_VALUES
        + " values; an alias bomb?"), e);
    // an alias inside the node it names
    e = error("name: x\nmin: &m {a: 1.0, b: *m}\n");
    assertTrue(e.startsWith("run.yaml: not valid YAML (alias *m refers to a node that contains it"), e);
  }

  @Test
  void scalarsAreTypedAsJacksonTypesThem() {
    JsonNode n = YamlTrees.parse("a: 0x10\nb: 1_000\nc: yes\nd: ~\ne: True\nf: 1e-4\ng: '7'\nh: -.inf\n", "t");
    assertEquals(16, n.get("a").asInt());
    assertEquals(1000, n.get("b").asInt());
    assertTrue(n.get("c").isTextual());
    assertTrue(n.get("d").isNull());
    assertTrue(n.get("e").booleanValue());
    assertEquals(1e-4, n.get("f").doubleValue(), 0);
    assertTrue(n.get("g").isTextual());
    assertEquals(Double.NEGATIVE_INFINITY, n.get("h").doubleValue(), 0);
  }

  record Where(Path data, int limit) {
    public static Where defaults() {
      return new Where(Path.of(""), 5);  // "not set yet": the record's user checks it later
    }
  }

  @Test
  void defaultsAreTakenAsTheyAreAndUserValuesAreChecked() {
    Where w = YamlBinder.bind(YamlBinder.parse("limit: 7\n", "w.yaml"), Where.class, "w.yaml");
    assertEquals(new Where(Path.of(""), 7), w);
    assertEquals("w.yaml: data: expected a path (string), got ''",
        assertThrows(JbertException.class,
            () -> YamlBinder.bind(YamlBinder.parse("data: ''\n", "w.yaml"), Where.class, "w.yaml")).getMessage());
    assertEquals("w.yaml: limit: expected an integer, got 2.5", assertThrows(JbertException.class,
        () -> YamlBinder.bind(YamlBinder.parse("limit: 2.5\n", "w.yaml"), Where.class, "w.yaml")).getMessage());
  }

  @JsonTypeName("alpha")
  @JsonTypeInfo(use = JsonTypeInfo.Id.NONE)
  record Alpha(String task, int steps) implements RunConfig {}

  @JsonTypeName("beta")
  @JsonTypeInfo(use = JsonTypeInfo.Id.NONE)
  record Beta(String task, String model) implements RunConfig {
    public static Beta defaults() {
      return new Beta("beta", "bert-base-uncased");
    }
  }

  @Test
  void theTaskKeyPicksTheRunType(@TempDir Path dir) throws Exception {
    ConfigMapper runs = ConfigMapper.yaml().withSubtypes(List.of(Alpha.class, Beta.class));
    Path f = dir.resolve("run.yaml");
    Files.writeString(f, "task: alpha\nsteps: 3\n");
    assertEquals(new Alpha("alpha", 3), YamlBinder.load(f, RunConfig.class, runs, List.of()));
    assertEquals(new Alpha("alpha", 9), YamlBinder.load(f, RunConfig.class, runs, List.of("steps=9")));
    assertEquals("--set model=x: unknown key model; allowed keys at the top level: task, steps",
        assertThrows(JbertException.class, () -> YamlBinder.load(f, RunConfig.class, runs, List.of("model=x")))
            .getMessage());
    Files.writeString(f, "task: beta\n");
    assertInstanceOf(Beta.class, YamlBinder.load(f, RunConfig.class, runs, List.of()));
    assertEquals(new Beta("beta", "m"), YamlBinder.load(f, RunConfig.class, runs, List.of("model=m")));
    Files.writeString(f, "task: gamma\n");
    assertEquals(f + ": key 'task' is \"gamma\"; expected one of [alpha, beta]",
        assertThrows(JbertException.class, () -> YamlBinder.load(f, RunConfig.class, runs, List.of())).getMessage());
    Files.writeString(f, "steps: 3\n");
    assertEquals(f + ": key 'task' is missing; expected one of [alpha, beta]",
        assertThrows(JbertException.class, () -> YamlBinder.load(f, RunConfig.class, runs, List.of())).getMessage());
    Files.writeString(f, "task: alpha\nsteps: 3\nstep: 4\n");
    assertEquals(f + ": unknown key step; allowed keys at the top level: task, steps",
        assertThrows(JbertException.class, () -> YamlBinder.load(f, RunConfig.class, runs, List.of())).getMessage());
    // each run type also binds on its own, and writes back what it reads
    Alpha a = YamlBinder.bind(YamlBinder.parse("task: alpha\nsteps: 2\n", "a.yaml"), Alpha.class, "a.yaml");
    assertEquals(a, YamlBinder.bind(YamlBinder.parse(YamlBinder.toYaml(a), "a.yaml"), Alpha.class, "a.yaml"));
  }
}
