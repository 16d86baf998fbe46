package org.jbert.spark.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.jbert.core.JbertException;
import org.jbert.core.model.PretrainedModels;
import org.jbert.core.tokenize.Truncation;
import org.jbert.spark.JbertEmbedder;
import org.jbert.spark.JbertPredictor;
import org.jbert.spark.JbertStage;
import org.jbert.spark.JbertTaskEvaluator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code jbert spark embed|predict|eval}: the Spark ML stages over a JSON Lines or Parquet input, with an embedded
 * {@code local[2]} master unless {@code --master} names another. Outputs are Parquet folders that keep every input
 * column (an {@code id} is added, 0, 1, ... in input order, when the input has none).
 */
@Command(
    name = "spark",
    mixinStandardHelpOptions = true,
    description = {"jbert's Spark ML stages on a Spark master (embedded local[2] by default): embed, predict, eval.",
        "Model folders must be on a path every executor sees; see README.md (Apache Spark) for spark-submit."},
    subcommands = {SparkCommand.Embed.class, SparkCommand.Predict.class, SparkCommand.Eval.class,
        ThroughputCommand.class, StepProfileCommand.class})
public final class SparkCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Options every subcommand takes. */
  static final class Common {
    @Option(names = "--input", paramLabel = "FILE.jsonl|DIR.parquet", required = true,
        description = "JSON Lines (text, optional text_b, other columns kept) or Parquet")
    String input;

    // Under spark-submit, spark.master is set and is the default.
    @Option(names = "--master", paramLabel = "URL", defaultValue = "${sys:spark.master:-local[2]}",
        description = "Spark master (default: spark-submit's, else local[2], embedded in this JVM)")
    String master;

    @Option(names = "--text-col", paramLabel = "COL", defaultValue = "text", description = "text column (default:"
        + " ${DEFAULT-VALUE})")
    String textCol;

    @Option(names = "--pair-col", paramLabel = "COL", defaultValue = "text_b",
        description = "second-text column, used when the input has it (default: ${DEFAULT-VALUE})")
    String pairCol;

    @Option(names = "--max-length", paramLabel = "N", defaultValue = "128",
        description = "longest row in tokens, [CLS] and [SEP]s included (default: ${DEFAULT-VALUE})")
    int maxLength;

    @Option(names = "--truncation", paramLabel = "head|head_tail", defaultValue = "head",
        description = "which pieces of a text longer than --max-length - 2 are kept: head (the first ones) or"
            + " head_tail (--head-tokens from the start, the rest from the end), as the model was trained"
            + " (default: ${DEFAULT-VALUE})")
    String truncation;

    @Option(names = "--head-tokens", paramLabel = "N", defaultValue = "0",
        description = "pieces kept from the start with --truncation head_tail")
    int headTokens;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "32", description = "rows per forward pass"
        + " (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--model", paramLabel = "DIR|NAME", description = "predict, eval: the task model folder (jbert or"
        + " Hugging Face, with its vocab.txt); embed: an encoder folder or pretrained name (default: "
        + PretrainedModels.DEFAULT + ")")
    String model;

    @Option(names = "--output", paramLabel = "DIR.parquet", description = "Parquet folder to write (eval: optional,"
        + " the predictions)")
    String output;

    /** {@code --model}, else {@code fallback}; an error when both are missing. */
    String model(String fallback) {
      if (model != null) return model;
      if (fallback == null) throw new JbertException("--model is required here; expected a task model folder");
      return fallback;
    }

    /** {@code --output}; an error when it is missing. */
    String output() {
      if (output == null) throw new JbertException("--output is required here; expected a Parquet folder to write");
      return output;
    }

    <T extends JbertStage> T configure(T stage, String model, Dataset<Row> in) {
      stage.setModelPath(model).setInputCol(textCol).setMaxLength(maxLength).setBatchSize(batchSize);
      Truncation.parse(truncation, headTokens, maxLength, "--truncation", "--head-tokens", "--max-length");
      stage.setTruncation(truncation).setHeadTokens(headTokens);
      if (Arrays.asList(in.columns()).contains(pairCol)) stage.setPairCol(pairCol);
      return stage;
    }
  }

  @Command(name = "embed", mixinStandardHelpOptions = true,
      description = "Writes the input's rows with pooled_output (array<float> [H]) and, with --sequence-pooling,"
          + " sequence_pooled (mean over real tokens, or the [CLS] vector) to a Parquet folder.")
  static final class Embed implements Runnable {
    @Mixin Common common;

    @Option(names = "--sequence-pooling", paramLabel = "none|mean|cls", defaultValue = "none",
        description = "also write sequence_pooled (default: ${DEFAULT-VALUE})")
    String pooling;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      if (!java.util.List.of("none", "mean", "cls").contains(pooling)) {
        throw new JbertException("--sequence-pooling " + pooling + "; expected none, mean or cls");
      }
      String model = common.model(PretrainedModels.DEFAULT), output = common.output();
      try (SparkJobs jobs = SparkJobs.open(common.master)) {
        Dataset<Row> in = jobs.read(common.input);
        JbertEmbedder e = common.configure(new JbertEmbedder(), model, in).setSequencePooling(pooling);
        SparkJobs.writeParquet(transform(e, in), output);
        report(spec, output);
      }
    }
  }

  @Command(name = "predict", mixinStandardHelpOptions = true,
      description = "Writes the input's rows with a fine-tuned model's predictions to a Parquet folder:"
          + " prediction, prediction_id, probability, logits (classification); prediction (regression); tokens,"
          + " token_labels, token_probabilities (token classification; word_labels when --text-col holds word"
          + " arrays); answer, answer_start, answer_end, answer_probability (QA: --text-col the questions,"
          + " --pair-col the contexts).")
  static final class Predict implements Runnable {
    @Mixin Common common;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      String model = common.model(null), output = common.output();
      try (SparkJobs jobs = SparkJobs.open(common.master)) {
        Dataset<Row> in = jobs.read(common.input);
        SparkJobs.writeParquet(transform(common.configure(new JbertPredictor(), model, in), in), output);
        report(spec, output);
      }
    }
  }

  @Command(name = "eval", mixinStandardHelpOptions = true,
      description = "Predicts a labeled input with a fine-tuned model and prints jbert eval's task metrics as one JSON"
          + " object (tagging: --text-col holds word arrays, --label-col their tags; QA: --text-col the questions,"
          + " --pair-col the contexts, --label-col the gold answer texts); --output also writes the predictions.")
  static final class Eval implements Runnable {
    @Mixin Common common;

    @Option(names = "--label-col", paramLabel = "COL", defaultValue = "label", description = "gold labels (default:"
        + " ${DEFAULT-VALUE})")
    String labelCol;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      String model = common.model(null), output = common.output;
      try (SparkJobs jobs = SparkJobs.open(common.master)) {
        Dataset<Row> in = jobs.read(common.input);
        JbertPredictor p = common.configure(new JbertPredictor(), model, in);
        Dataset<Row> predicted = transform(p, in).cache();
        JbertTaskEvaluator ev = new JbertTaskEvaluator().setModelPath(model).setLabelCol(labelCol);
        Map<String, Double> scores;
        try {
          scores = ev.scores(predicted);
        } catch (Exception e) {
          throw SparkJobs.rethrow(common.input, e);
        }
        if (output != null) SparkJobs.writeParquet(predicted, output);
        ObjectNode o = new ObjectMapper().createObjectNode();
        scores.forEach(o::put);
        PrintWriter out = spec.commandLine().getOut();
        out.println(o);
        out.flush();
      }
    }
  }

  private static Dataset<Row> transform(JbertStage stage, Dataset<Row> in) {
    try {
      return stage.transform(in);
    } catch (Exception e) {
      throw SparkJobs.rethrow("transform", e);
    }
  }

  private static void report(CommandLine.Model.CommandSpec spec, String output) {
    PrintWriter err = spec.commandLine().getErr();
    err.println("wrote " + output);
    err.flush();
  }
}
