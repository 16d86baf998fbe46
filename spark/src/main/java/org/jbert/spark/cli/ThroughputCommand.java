package org.jbert.spark.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.jbert.core.JbertException;
import org.jbert.core.io.Npz;
import org.jbert.core.model.Bert;
import org.jbert.core.model.EncoderResult;
import org.jbert.core.model.PretrainedModels;
import org.jbert.core.model.RowBatches;
import org.jbert.core.tokenize.Features;
import org.jbert.eval.data.EvalTexts;
import org.jbert.spark.ExecutorModels;
import org.jbert.spark.JbertEmbedder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jbert spark throughput}: Spark's overhead on embedding, measured in one JVM on the same texts: the embedder
 * stage on the master (default local[2]) against the single-JVM path {@code jbert embed} runs (tokenize, length-sorted
 * batches with dynamic padding, pooled output), both after a warm-up pass over every shape, the model loaded once.
 */
@Command(name = "throughput", mixinStandardHelpOptions = true,
    description = "Embedding throughput of the Spark stage against the single-JVM embed path on N SpamAssassin"
        + " sentences (every 7th email; fetched once) or a JSON Lines file; prints one JSON object.")
final class ThroughputCommand implements Runnable {
  @Option(names = "--model", paramLabel = "DIR|NAME", defaultValue = PretrainedModels.DEFAULT)
  String model;

  @Option(names = "--texts", paramLabel = "N", defaultValue = "2000")
  int texts;

  @Option(names = "--batch-size", paramLabel = "B", defaultValue = "32")
  int batchSize;

  @Option(names = "--master", paramLabel = "URL", defaultValue = "${sys:spark.master:-local[2]}")
  String master;

  @Option(names = "--partitions", paramLabel = "P", defaultValue = "0",
      description = "input partitions (default: the master's default parallelism)")
  int partitions;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    List<String> t = EvalTexts.emailSentences(texts, 7);
    Bert bert = ExecutorModels.encoder(model);
    singleJvm(bert, t);
    double single = singleJvm(bert, t);
    try (SparkJobs jobs = SparkJobs.open(master)) {
      int p = partitions > 0 ? partitions : jobs.spark().sparkContext().defaultParallelism();
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < t.size(); i++) rows.add(RowFactory.create((long) i, t.get(i)));
      StructType schema = new StructType().add("id", DataTypes.LongType).add("text", DataTypes.StringType);
      Dataset<Row> df = jobs.spark().createDataFrame(rows, schema).repartition(p).cache();
      df.count();
      JbertEmbedder e = new JbertEmbedder();
      e.setModelPath(model).setBatchSize(batchSize);
      long t0 = System.nanoTime();
      e.transform(df).write().format("noop").mode("overwrite").save();
      double spark = (System.nanoTime() - t0) / 1e9;
      ObjectNode o = new ObjectMapper().createObjectNode();
      o.put("texts", t.size()).put("batch_size", batchSize).put("master", master).put("partitions", p);
      o.put("single_jvm_seconds", single).put("single_jvm_seq_per_s", t.size() / single);
      o.put("spark_seconds", spark).put("spark_seq_per_s", t.size() / spark);
      o.put("spark_over_single_jvm", single / spark);
      o.put("loadavg", SparkJobs.loadAverage());
      PrintWriter out = spec.commandLine().getOut();
      out.println(o);
      out.flush();
    }
  }

  /** The single-JVM path: tokenize, RowBatches' length-sorted batches, pooled output gathered in input order. */
  private double singleJvm(Bert bert, List<String> t) {
    long t0 = System.nanoTime();
    Features f = bert.preprocess(t, null, 128, true);
    Map<String, Npz.Array> out = RowBatches.gather(f, batchSize, true, Set.of(), b -> {
      try (EncoderResult r = bert.model().encode(b.inputWordIds(), b.inputMask(), b.inputTypeIds())) {
        return Map.of("pooled_output", r.pooledOutput().dup());
      }
    });
    if (out.get("pooled_output").shape()[0] != t.size()) throw new JbertException("lost rows");
    return (System.nanoTime() - t0) / 1e9;
  }
}
