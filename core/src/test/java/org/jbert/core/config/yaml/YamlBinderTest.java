package org.jbert.core.config.yaml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jbert.core.JbertException;
import org.jbert.core.train.TrainConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class YamlBinderTest {

  enum Mode { FAST, EXACT_MATCH }

  record Stage(String name, int layers) {}

  record Run(String name, TrainConfig train, List<Stage> stages, Optional<Integer> limit, Mode mode) {}

  private static Run bind(String yaml) {
    return YamlBinder.bind(YamlBinder.parse(yaml, "run.yaml"), Run.class, "run.yaml");
  }

  private static String error(String yaml) {
    return assertThrows(JbertException.class, () -> bind(yaml)).getMessage();
  }

  private static final String MINIMAL = "name: x\nmode: fast\n";

  @Test
  void bindsNestedRecordsListsEnumsOptionalsAndDefaults() {
    Run r = bind("name: demo\nmode: exact-match\nlimit: 7\n"
        + "train:\n  lr: 1e-4\n  max_steps: 1e3\n  schedule: CONSTANT\n  warmup_ratio: 0\n"
        + "stages:\n  - {name: a, layers: 2}\n  - {name: b, layers: 12}\n");
    assertEquals("demo", r.name());
    assertEquals(Mode.EXACT_MATCH, r.mode());
    assertEquals(Optional.of(7), r.limit());
    assertEquals(1e-4, r.train().lr(), 0);          // "1e-4" is a YAML 1.1 string; a number is expected, so parsed
    assertEquals(1000, r.train().maxSteps());        // 1e3 is integral
    assertEquals(TrainConfig.Schedule.CONSTANT, r.train().schedule());
    assertEquals(TrainConfig.defaults().batchSize(), r.train().batchSize());  // missing key: default
    assertEquals(List.of(new Stage("a", 2), new Stage("b", 12)), r.stages());
    Run m = bind(MINIMAL);
    assertEquals(TrainConfig.defaults(), m.train());  // missing section with defaults(): all defaults
    assertEquals(Optional.empty(), m.limit());
    assertEquals(List.of(), m.stages());
  }

  @Test
  void unknownKeyNamesThePathAndTheAllowedKeys() {
    String e = error(MINIMAL + "train:\n  lr_schedule: cosine\n");
    assertTrue(e.startsWith("run.yaml: unknown key train.lr_schedule; allowed keys under train: lr, weight_decay, "
        + "adam_beta1, adam_beta2, adam_eps, schedule, warmup_steps,"), e);
    assertTrue(e.endsWith("keep_checkpoints, output_dir, metric_for_best_model, metric_mode, early_stopping_patience, "
        + "early_stopping_threshold, load_best_model_at_end"), e);
    assertEquals("run.yaml: unknown key trian; allowed keys at the top level: name, train, stages, limit, mode",
        error(MINIMAL + "trian: {}\n"));
    assertEquals("run.yaml: unknown key stages[1].layer; allowed keys under stages[1]: name, layers",
        error(MINIMAL + "stages: [{name: a, layers: 1}, {name: b, layer: 2}]\n"));
  }

  @Test
  void wrongTypesNameThePathAndTheExpectedType() {
    assertEquals("run.yaml: train.lr: expected a number, got 'fast'", error(MINIMAL + "train: {lr: fast}\n"));
    assertEquals("run.yaml: train.batch_size: expected an integer, got 2.5", error(MINIMAL + "train: {batch_size: 2.5}\n"));
    assertEquals("run.yaml: train.schedule: expected one of linear, constant, got 'cosine'",
        error(MINIMAL + "train: {schedule: cosine}\n"));
    assertEquals("run.yaml: train: expected a mapping with keys lr, weight_decay, adam_beta1, adam_beta2, adam_eps, "
        + "schedule, warmup_steps, warmup_ratio, max_steps, epochs, batch_size, shuffle, grad_accum_steps, max_grad_norm, seed, "
        + "log_every, eval_every, checkpoint_every, keep_checkpoints, output_dir, metric_for_best_model, metric_mode, "
        + "early_stopping_patience, early_stopping_threshold, load_best_model_at_end, got 3", error(MINIMAL + "train: 3\n"));
    assertEquals("run.yaml: stages: expected a list of (a mapping with keys name, layers), got 'a'",
        error(MINIMAL + "stages: a\n"));
    assertEquals("run.yaml: missing key stages[0].layers; expected an integer", error(MINIMAL + "stages: [{name: a}]\n"));
    assertEquals("run.yaml: train: batch_size 0; expected >= 1", error(MINIMAL + "train: {batch_size: 0}\n"));
    assertTrue(error(MINIMAL + "name: y\n").startsWith("run.yaml: not valid YAML (Duplicate field 'name'"));
  }

  @Test
  void overridesGoThroughTheSameValidation(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("run.yaml");
    Files.writeString(f, MINIMAL + "train:\n  lr: 3e-5\n");
    Run r = YamlBinder.load(f, Run.class, List.of("train.lr=1e-3", "train.grad_accum_steps=4", "limit=9",
        "stages=[{name: z, layers: 1}]"));
    assertEquals(1e-3, r.train().lr(), 0);
    assertEquals(4, r.train().gradAccumSteps());
    assertEquals(Optional.of(9), r.limit());
    assertEquals(List.of(new Stage("z", 1)), r.stages());
    JbertException unknown = assertThrows(JbertException.class,
        () -> YamlBinder.load(f, Run.class, List.of("train.lr_schedule=cosine")));
    assertTrue(unknown.getMessage().startsWith(
        "--set train.lr_schedule=cosine: unknown key train.lr_schedule; allowed keys under train: lr, "), unknown.getMessage());
    assertEquals("--set train.seed=abc: train.seed: expected an integer, got 'abc'",
        assertThrows(JbertException.class, () -> YamlBinder.load(f, Run.class, List.of("train.seed=abc"))).getMessage());
    assertEquals("--set train.lr.x=1: train.lr is not a section (it holds a number), so it has no key x",
        assertThrows(JbertException.class, () -> YamlBinder.load(f, Run.class, List.of("train.lr.x=1"))).getMessage());
    assertEquals("--set train.lr: expected key.path=value",
        assertThrows(JbertException.class, () -> YamlBinder.load(f, Run.class, List.of("train.lr"))).getMessage());
    // a value that parses but breaks a record rule is caught when the whole config is bound
    assertEquals(f + ": train: warmup_steps 5 and warmup_ratio 0.1 are both set; expected one of them",
        assertThrows(JbertException.class, () -> YamlBinder.load(f, Run.class, List.of("train.warmup_steps=5")))
            .getMessage());
  }

  record Bounds(int floor, Map<String, Double> min) {
    public static Bounds defaults() {
      return new Bounds(1, Map.of());
    }
  }

  record Eval(String name, Optional<Bounds> bounds) {}

  @Test
  void overridesReachOptionalSectionsAndMapEntries() {
    var tree = YamlBinder.parse("name: e\nbounds: {min: {accuracy: 0.5}}\n", "eval.yaml");
    YamlBinder.applyOverride(tree, Eval.class, "bounds.min.accuracy=0.9");
    YamlBinder.applyOverride(tree, Eval.class, "bounds.min.f1=0.8");
    YamlBinder.applyOverride(tree, Eval.class, "bounds.floor=3");
    Eval e = YamlBinder.bind(tree, Eval.class, "eval.yaml");
    assertEquals(Map.of("accuracy", 0.9, "f1", 0.8), e.bounds().orElseThrow().min());
    assertEquals(3, e.bounds().orElseThrow().floor());
    // an absent optional section is created by the override, the rest from its defaults
    var bare = YamlBinder.parse("name: e\n", "eval.yaml");
    YamlBinder.applyOverride(bare, Eval.class, "bounds.min.mcc=0.1");
    assertEquals(new Bounds(1, Map.of("mcc", 0.1)),
        YamlBinder.bind(bare, Eval.class, "eval.yaml").bounds().orElseThrow());
    assertEquals("--set bounds.min.mcc=high: bounds.min.mcc: expected a number, got 'high'",
        assertThrows(JbertException.class, () -> YamlBinder.applyOverride(bare, Eval.class, "bounds.min.mcc=high"))
            .getMessage());
    assertTrue(assertThrows(JbertException.class, () -> YamlBinder.applyOverride(bare, Eval.class, "bounds.flor=2"))
        .getMessage().startsWith("--set bounds.flor=2: unknown key bounds.flor; allowed keys under bounds: floor,"
            + " min"));
    assertEquals("--set bounds.min.mcc.x=1: bounds.min.mcc is not a section (it holds a number), so it has no key x",
        assertThrows(JbertException.class, () -> YamlBinder.applyOverride(bare, Eval.class, "bounds.min.mcc.x=1"))
            .getMessage());
  }

  @Test
  void resolvedYamlReadsBackEqual() {
    Run r = new Run("n", TrainConfig.defaults(), List.of(new Stage("s", 3)), Optional.empty(), Mode.EXACT_MATCH);
    String yaml = YamlBinder.toYaml(r);
    assertTrue(yaml.contains("max_grad_norm: 1.0"), yaml);
    assertTrue(yaml.contains("mode: exact_match"), yaml);
    assertEquals(r, bind(yaml));
  }

  /** The commented defaults file shipped with core is exactly TrainConfig.defaults(). */
  @Test
  void shippedDefaultsFileMatchesTheRecord() throws Exception {
    String text;
    try (InputStream in = TrainConfig.class.getResourceAsStream("train-defaults.yaml")) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Run r = YamlBinder.bind(YamlBinder.parse(MINIMAL + text, "train-defaults.yaml"), Run.class, "train-defaults.yaml");
    assertEquals(TrainConfig.defaults(), r.train());
  }
}
