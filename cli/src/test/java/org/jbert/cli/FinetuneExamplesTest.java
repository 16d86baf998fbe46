package org.jbert.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jbert.core.config.BertConfig;
import org.jbert.core.tokenize.BertTokenizer;
import org.jbert.core.tokenize.Token;
import org.jbert.core.tokenize.Vocab;
import org.jbert.core.train.MetricsLog;
import org.jbert.finetune.TaskModel;
import org.jbert.finetune.TaskModelFiles;
import org.jbert.finetune.data.ConllReader;
import org.jbert.finetune.data.LabelMap;
import org.jbert.finetune.data.SquadReader;
import org.jbert.finetune.data.TaggedSentence;
import org.jbert.finetune.qa.QaExample;
import org.jbert.finetune.qa.QaFeature;
import org.jbert.finetune.qa.QaFeatureBuilder;
import org.jbert.finetune.qa.QaFeatureConfig;
import org.jbert.finetune.qa.QaPostConfig;
import org.jbert.finetune.task.QaData;
import org.jbert.finetune.task.TaggingData;
import org.jbert.finetune.task.TextInputs;
import org.jbert.testing.TinyEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped example configs ({@code configs/finetune-tagging-example.yaml}, {@code finetune-squad-example.yaml}) run
 * through {@code jbert run} on tiny random encoders (BERT-base would take minutes), with their own hand-written data;
 * and the data's encoding on the real BERT-base vocabularies, checked by hand. The configs' data paths are relative
 * to the repository root; tests run in examples/, hence the {@code --set data...} overrides.
 */
class FinetuneExamplesTest {
  static final Path CONFIGS = Path.of("..", "configs");
  static final Path TAGGING = CONFIGS.resolve("data/tagging-example");
  static final Path SQUAD = CONFIGS.resolve("data/squad-example");
  @TempDir Path dir;

  static List<Double> losses(Path run) {
    return MetricsLog.read(run.resolve("metrics.jsonl")).stream().map(l -> l.get("loss").asDouble()).toList();
  }

  static double mean(List<Double> l) {
    return l.stream().mapToDouble(d -> d).average().orElseThrow();
  }

  static void between(JsonNode n, String key, double lo, double hi) {
    assertTrue(n.has(key), key + " missing in " + n);
    double v = n.get(key).asDouble();
    assertTrue(v >= lo && v <= hi, key + " = " + v + " outside [" + lo + ", " + hi + "] in " + n);
  }

  @Test
  void taggingExampleRunsOnATinyModel() throws Exception {
    List<String> words = new ArrayList<>();
    for (String f : List.of("train.conll", "dev.conll")) {
      for (TaggedSentence s : ConllReader.read(TAGGING.resolve(f))) words.add(String.join(" ", s.tokens()));
    }
    Path model = TinyEncoder.write(dir.resolve("tiny"), words, true, 11);
    Path run = dir.resolve("run");
    CliRun.Result r = CliRun.run("run", CONFIGS.resolve("finetune-tagging-example.yaml").toString(),
        "--set", "model=" + model, "--set", "data.train=" + TAGGING.resolve("train.conll"),
        "--set", "data.dev=" + TAGGING.resolve("dev.conll"), "--set", "data.test=" + TAGGING.resolve("dev.conll"),
        "--set", "head.dropout=0", "--set", "train.lr=1e-2", "--set", "train.warmup_ratio=0",
        "--set", "train.max_steps=30", "--set", "train.log_every=1", "--set", "train.output_dir=" + run);
    assertEquals(0, r.code(), r.err());
    List<Double> l = losses(run);
    assertEquals(30, l.size());
    assertTrue(mean(l.subList(25, 30)) < 0.6 * mean(l.subList(0, 5)), "loss falls with a high lr: " + l);
    List<ObjectNode> lines = MetricsLog.read(run.resolve("metrics.jsonl"));
    JsonNode last = lines.get(lines.size() - 1);
    for (String k : List.of("eval_precision", "eval_recall", "eval_f1", "eval_macro_f1")) between(last, k, 0, 1);
    // 65% of the dev tags are O; a model that learned anything gets at least that share right.
    between(last, "eval_token_accuracy", 0.6, 1);
    JsonNode test = new ObjectMapper().readTree(run.resolve("test_metrics.json").toFile());
    assertEquals(15, test.get("examples").asInt());
    assertEquals(last.get("eval_f1").asDouble(), test.get("f1").asDouble(), 0.0, "dev = test file, same model");
    try (TaskModel m = TaskModelFiles.load(run.resolve("model"))) {
      assertEquals(List.of("B-LOC", "B-MISC", "B-ORG", "B-PER", "I-LOC", "I-MISC", "I-ORG", "I-PER", "O"),
          m.labelNames());
    }
  }

  /**
   * "Peter Lindqvist is a Swedish engineer at Volvo ." on bert-base-cased's vocabulary, by hand: ids are lines of its
   * vocab.txt ([CLS] 101, Peter 1943, Lin 12221, ##d 1181, ##q 4426, ##vist 18295, is 1110, a 170, Swedish 3619,
   * engineer 3806, at 1120, Volvo 23212, . 119, [SEP] 102); tags B-LOC 0, B-MISC 1, B-ORG 2, B-PER 3, ..., I-PER 7,
   * O 8. Lindqvist's I-PER sits on "Lin" only; its other three pieces and [CLS]/[SEP] get -100.
   */
  @Test
  void taggingLabelsSitOnFirstPiecesOfBertBaseCased() {
    List<TaggedSentence> train = ConllReader.read(TAGGING.resolve("train.conll"));
    TaggedSentence s = train.get(6);
    assertEquals("Peter Lindqvist is a Swedish engineer at Volvo .", String.join(" ", s.tokens()));
    Vocab v = Vocab.bundled("bert-base-cased");
    TextInputs in = new TextInputs(BertConfig.base(), Optional.of(new BertTokenizer(v, false)), 32, "bert-base-cased",
        null);
    TaggingData d = TaggingData.of("train.conll", train, LabelMap.fromSentences("train.conll", train), in);
    assertArrayEquals(new int[] {101, 1943, 12221, 1181, 4426, 18295, 1110, 170, 3619, 3806, 1120, 23212, 119, 102},
        d.inputIds(6));
    assertArrayEquals(new int[] {-100, 3, 7, -100, -100, -100, 8, 8, 1, 8, 8, 2, 8, -100}, d.labelIds(6));
    assertArrayEquals(new int[] {1, 2, 6, 7, 8, 9, 10, 11, 12}, d.firstPieces(6));
    // "Sarah O'Neil ...": O'Neil is three pieces (O ' Neil); I-PER on "O" at position 2.
    assertEquals("Sarah O'Neil teaches English at a school in Dublin .", String.join(" ", train.get(12).tokens()));
    assertArrayEquals(new int[] {-100, 3, 7, -100, -100, 8, 1, 8, 8, 8, 8, 0, 8, -100}, d.labelIds(12));
  }

  @Test
  void squadExampleRunsOnATinyModel() throws Exception {
    List<String> texts = new ArrayList<>();
    for (String f : List.of("train.json", "dev.json")) {
      for (QaExample q : SquadReader.read(SQUAD.resolve(f))) {
        texts.add(q.context());
        texts.add(q.question());
      }
    }
    Path model = TinyEncoder.write(dir.resolve("tiny"), texts, false, 12);
    Path run = dir.resolve("run");
    CliRun.Result r = CliRun.run("run", CONFIGS.resolve("finetune-squad-example.yaml").toString(),
        "--set", "model=" + model, "--set", "data.train=" + SQUAD.resolve("train.json"),
        "--set", "data.dev=" + SQUAD.resolve("dev.json"), "--set", "data.test=" + SQUAD.resolve("dev.json"),
        "--set", "data.max_seq_length=64", "--set", "data.squad.doc_stride=24",
        "--set", "data.squad.max_query_length=16", "--set", "train.lr=1e-2", "--set", "train.warmup_ratio=0",
        "--set", "train.max_steps=30", "--set", "train.batch_size=8", "--set", "train.log_every=1",
        "--set", "train.output_dir=" + run);
    assertEquals(0, r.code(), r.err());
    List<Double> l = losses(run);
    assertTrue(mean(l.subList(25, 30)) < 0.8 * mean(l.subList(0, 5)), "loss falls with a high lr: " + l);
    List<ObjectNode> lines = MetricsLog.read(run.resolve("metrics.jsonl"));
    JsonNode last = lines.get(lines.size() - 1);
    for (String k : List.of("eval_exact_match", "eval_f1", "eval_has_ans_f1", "eval_no_ans_exact", "eval_best_f1")) {
      between(last, k, 0, 100);
    }
    JsonNode test = new ObjectMapper().readTree(run.resolve("test_metrics.json").toFile());
    assertEquals(10, test.get("examples").asInt());
    assertEquals(last.get("eval_f1").asDouble(), test.get("f1").asDouble(), 0.0, "dev = test file, same model");
    JsonNode preds = new ObjectMapper().readTree(run.resolve("test_predictions/predictions.json").toFile());
    assertEquals(List.of("dev-1-1", "dev-1-2", "dev-1-3", "dev-1-4", "dev-1-5", "dev-2-1", "dev-2-2", "dev-2-3",
        "dev-2-4", "dev-2-5"), iterable(preds));
    assertTrue(Files.exists(run.resolve("test_predictions/null_odds.json")), "SQuAD v2.0 (auto): null odds");
  }

  static List<String> iterable(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  /**
   * Training positions on bert-base-uncased's vocabulary with windows of 64 (stride 24): every feature whose window
   * holds the whole answer points at exactly the answer's word pieces, every other feature at [CLS] (0), each
   * answerable question has at least one answer feature, and unanswerable ones have none.
   */
  @Test
  void squadTrainingPositionsPointAtTheAnswerPieces() {
    List<QaExample> train = SquadReader.read(SQUAD.resolve("train.json"));
    BertTokenizer tok = new BertTokenizer(Vocab.bundled("bert-base-uncased"), true);
    QaData d = QaData.of("train.json", train, new QaFeatureBuilder(tok, new QaFeatureConfig(64, 16, 24)),
        QaPostConfig.V2, true);
    assertTrue(d.size() > 2 * train.size(), "contexts of 62-86 pieces need several 64-token windows: " + d.size());
    int[] answerFeatures = new int[train.size()];
    int cls = 0;
    for (QaFeature f : d.features()) {
      QaExample q = train.get(f.exampleIndex());
      if (f.startPosition() == 0) {
        assertEquals(0, f.endPosition());
        cls++;
        continue;
      }
      answerFeatures[f.exampleIndex()]++;
      int[] span = Arrays.copyOfRange(f.inputIds(), f.startPosition(), f.endPosition() + 1);
      int[] answer = tok.tokenize(q.answers().get(0).text()).stream().mapToInt(Token::id).toArray();
      assertArrayEquals(answer, span, q.id() + " window " + f.windowIndex());
    }
    for (int i = 0; i < train.size(); i++) {
      assertEquals(train.get(i).impossible(), answerFeatures[i] == 0, train.get(i).id());
    }
    assertTrue(cls > 0, "windows without the answer point at [CLS]");
  }
}
