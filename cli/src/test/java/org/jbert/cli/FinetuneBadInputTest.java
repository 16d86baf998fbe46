package org.jbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jbert.core.train.MetricsLog;
import org.jbert.testing.TinyEncoder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to {@code jbert run} fine-tuning configs: each is one line on standard error with exit status 2, naming
 * the file and line (or the key and value) and what was expected.
 */
class FinetuneBadInputTest {
  @TempDir static Path dir;
  static Path encoder;

  @BeforeAll
  static void setUp() {
    encoder = TinyEncoder.write(dir.resolve("enc"), List.of("good bad movie film the was Paris Anna lives in . ?"
        + " Where does Anna live What"), false, 1);
  }

  static Path write(String name, String... lines) throws Exception {
    Path f = dir.resolve(name);
    Files.write(f, List.of(lines));
    return f;
  }

  static String[] run(String source, Path train, Path dev, String head, String... sets) throws Exception {
    Path c = dir.resolve("c" + System.nanoTime() + ".yaml");
    Files.writeString(c, """
        task: finetune
        model: %s
        head: {type: %s, dropout: 0.0}
        data: {source: %s, train: %s, dev: "%s", max_seq_length: 16}
        train: {lr: 1.0e-3, warmup_steps: 0, max_steps: 2, batch_size: 4, log_every: 1, checkpoint_every: 0,
                output_dir: %s}
        """.formatted(encoder, head, source, train, dev == null ? "" : dev, dir.resolve("run" + System.nanoTime())));
    List<String> args = new ArrayList<>(List.of("run", c.toString()));
    for (String s : sets) {
      args.add("--set");
      args.add(s);
    }
    return args.toArray(new String[0]);
  }

  @Test
  void aDevLabelMissingFromTheTrainingLabelsNamesFileLineAndKnownLabels() throws Exception {
    Path train = write("train.jsonl", "{\"text\": \"good movie\", \"label\": \"pos\"}",
        "{\"text\": \"bad movie\", \"label\": \"neg\"}");
    Path dev = write("dev.jsonl", "{\"text\": \"good film\", \"label\": \"pos\"}",
        "{\"text\": \"the film\", \"label\": \"neutral\"}");
    CliRun.assertOneLineError(CliRun.run(run("jsonl", train, dev, "sequence_classification")),
        dev + ":2: unknown label \"neutral\"; known labels: [neg, pos]");
  }

  @Test
  void truncationSettingsNameTheirKeys() throws Exception {
    Path train = write("trunc.jsonl", "{\"text\": \"good movie\", \"label\": \"pos\"}");
    CliRun.assertOneLineError(CliRun.run(run("jsonl", train, null, "sequence_classification",
        "data.truncation=middle")), "data.truncation", "head_tail");
    CliRun.assertOneLineError(CliRun.run(run("jsonl", train, null, "sequence_classification",
        "data.head_tokens=3")), "data.head_tokens is 3 but data.truncation is head; expected data.truncation"
        + " head_tail to keep a head and a tail (or head_tokens 0)");
    CliRun.assertOneLineError(CliRun.run(run("jsonl", train, null, "sequence_classification",
        "data.truncation=head_tail", "data.head_tokens=15")),
        "data.head_tokens is 15; expected at most max_seq_length - 2 = 14 (the room beside [CLS] and [SEP])");
  }

  @Test
  void distributedSettingsNameTheirKeys() throws Exception {
    Path train = write("dist.jsonl", "{\"text\": \"good movie\", \"label\": \"pos\"}");
    CliRun.assertOneLineError(CliRun.run(run("jsonl", train, null, "sequence_classification",
        "distributed.reduction=ring")), "distributed.reduction is ring; expected driver or shuffle");
    CliRun.assertOneLineError(CliRun.run(run("jsonl", train, null, "sequence_classification",
        "distributed.engine=mpi")), "distributed.engine is mpi; expected none or spark");
  }

  @Test
  void emailTextNamesItsKeyAndWhereItApplies() throws Exception {
    Path train = write("email.jsonl", "{\"text\": \"good movie\", \"label\": \"pos\"}");
    CliRun.assertOneLineError(CliRun.run(run("jsonl", train, null, "sequence_classification",
        "data.email_text=html")), "data.email_text", "plain");
    CliRun.assertOneLineError(CliRun.run(run("jsonl", train, null, "sequence_classification",
        "data.email_text=plain")), "data.email_text is plain but the data are not the built-in SpamAssassin splits"
        + " (source jsonl, data.train " + train + "); expected raw, or source spamassassin with no data.train");
  }

  @Test
  void aTsvRowWithTooFewColumnsNamesFileLineAndCounts() throws Exception {
    Path train = write("short.tsv", "good movie\tpos", "bad movie\tneg", "the film");
    CliRun.assertOneLineError(CliRun.run(run("tsv", train, null, "sequence_classification")),
        train + ":3: 1 column; expected at least 2 tab-separated columns (text_a column 0, label column 1)");
  }

  @Test
  void aSquadAnswerNotAtItsOffsetNamesFileQuestionAndBothTexts() throws Exception {
    Path train = write("bad.json", "{\"data\": [{\"paragraphs\": [{\"context\": \"Anna lives in Paris.\", \"qas\": ["
        + "{\"id\": \"q1\", \"question\": \"Where does Anna live?\", \"answers\": [{\"text\": \"Paris\","
        + " \"answer_start\": 12}]}]}]}]}");
    CliRun.assertOneLineError(CliRun.run(run("squad", train, null, "question_answering")),
        train + ": question q1: answer text \"Paris\" is not at answer_start 12; the context there (20 code points"
            + " long) reads \"n Par\"");
  }

  @Test
  void anEmptyTrainingSetNamesItsFile() throws Exception {
    Path train = write("empty.conll", "-DOCSTART- O", "");
    CliRun.assertOneLineError(CliRun.run(run("conll", train, null, "token_classification")),
        train + ": no training examples; expected at least one tagged sentence");
  }

  @Test
  void aPreTokenizedIdBeyondTheVocabularyNamesFileAndLine() throws Exception {
    Path train = write("ids.jsonl", "{\"input_word_ids\": [2, 5, 3], \"label\": 0}",
        "{\"input_word_ids\": [2, 99999, 3], \"label\": 1}");
    CliRun.assertOneLineError(CliRun.run(run("jsonl", train, null, "sequence_classification")),
        train + ":2: input_word_ids[1] is 99999; expected below the model's vocab_size");
  }

  @Test
  void aSourceThatDoesNotFitTheHeadNamesBoth() throws Exception {
    Path train = write("t.jsonl", "{\"text\": \"good\", \"label\": \"pos\"}");
    CliRun.assertOneLineError(CliRun.run(run("jsonl", train, null, "token_classification")),
        "data.source is jsonl, which has no data for a token_classification head (a tag per word); expected conll");
  }

  @Test
  void aNumLabelsMismatchWithAnImportedHeadNamesBothNumbers() throws Exception {
    Path rows = write("rows.jsonl", "{\"input_word_ids\": [2, 5, 3], \"label\": 0}",
        "{\"input_word_ids\": [2, 6, 3], \"label\": 1}", "{\"input_word_ids\": [2, 7, 3], \"label\": 2}");
    Path model = Path.of("..", "configs", "data", "hf-tiny-golden", "model");
    CliRun.assertOneLineError(CliRun.run(run("jsonl", rows, null, "sequence_classification", "model=" + model,
        "head.num_labels=2")), "the imported sequence_classification head has num_labels 3 but head.num_labels is 2");
  }

  /** A batch size above the training set is cut to the set's size, with one line saying so. */
  @Test
  void aBatchSizeLargerThanTheTrainingSetIsClampedWithOneLine() throws Exception {
    Path train = write("three.jsonl", "{\"text\": \"good movie\", \"label\": \"pos\"}",
        "{\"text\": \"bad movie\", \"label\": \"neg\"}", "{\"text\": \"good film\", \"label\": \"pos\"}");
    String[] args = run("jsonl", train, null, "sequence_classification", "train.batch_size=32");
    PrintStream old = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CliRun.Result r;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      r = CliRun.run(args);
    } finally {
      System.setOut(old);
    }
    assertEquals(0, r.code(), r.err());
    String printed = out.toString(StandardCharsets.UTF_8);
    List<String> said = printed.lines().filter(l -> l.contains("batch_size")).toList();
    assertEquals(List.of("jbert: train.batch_size 32 is larger than the training set (3 rows); using batch_size 3"),
        said);
    Path runDir = Path.of(printed.lines().filter(l -> l.contains("report in")).findFirst().orElseThrow()
        .replaceAll(".*report in (.*)/report.md", "$1"));
    assertTrue(Files.readString(runDir.resolve("config.resolved.yaml")).contains("batch_size: 3"),
        "the resolved config records what ran");
    assertEquals(2, MetricsLog.read(runDir.resolve("metrics.jsonl")).size(), "2 steps of the 3 rows");
  }
}
