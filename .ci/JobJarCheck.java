import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.jbert.core.io.Npz;

/**
 * .ci/job-jar's comparison (a single-file program: {@code java -cp JOB_JAR:SPARK_CLASSPATH .ci/JobJarCheck.java WORK}).
 * The job jar's Parquet outputs under spark-submit (embed on local[2] and on the standalone cluster, predict and eval
 * on the cluster) against {@code jbert embed} and {@code jbert predict} on the same rows ({@code WORK/texts.jsonl}):
 * every row once, in input order with its id and text; pooled_output [H] within 1e-5 of embed's; predict's labels
 * and ids equal, its probability and logits [C] within 1e-5 of predict's; {@code spark eval}'s accuracy
 * ({@code WORK/eval.out}) equal to the share of predict's labels that match the gold ones. Exits 1 with the first
 * difference.
 */
public final class JobJarCheck {
  static final double TOLERANCE = 1e-5;

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    ObjectMapper json = new ObjectMapper();
    List<String> texts = Files.readAllLines(work.resolve("texts.jsonl"));
    List<String> labels = Files.readAllLines(work.resolve("labels.jsonl"));
    float[] want = Npz.read(work.resolve("embed.npz")).get("pooled_output").floats();
    float[] logits = Npz.read(work.resolve("predict.npz")).get("logits").floats();
    SparkSession spark = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false")
        .getOrCreate();
    try {
      for (String local : List.of("embed-local.parquet", "embed.parquet")) {
        List<Row> e = spark.read().parquet(work.resolve(local).toString()).orderBy("id").collectAsList();
        check(e.size() == texts.size(), local + " has " + e.size() + " rows, expected " + texts.size());
        for (int i = 0; i < e.size(); i++) {
          List<Float> p = e.get(i).getList(e.get(i).fieldIndex("pooled_output"));
          for (int j = 0; j < p.size(); j++) {
            double d = Math.abs(p.get(j) - want[i * p.size() + j]);
            check(d <= TOLERANCE, local + " row " + i + ": pooled_output differs from jbert embed by " + d);
          }
        }
      }
      List<Row> emb = spark.read().parquet(work.resolve("embed.parquet").toString()).orderBy("id").collectAsList();
      List<Row> pred = spark.read().parquet(work.resolve("predict.parquet").toString()).orderBy("id")
          .collectAsList();
      check(emb.size() == texts.size(), "embed.parquet has " + emb.size() + " rows, expected " + texts.size());
      check(pred.size() == texts.size(), "predict.parquet has " + pred.size() + " rows, expected " + texts.size());
      int h = want.length / texts.size();
      int c = logits.length / texts.size();
      double maxDiff = 0, maxLogitDiff = 0;
      for (int i = 0; i < texts.size(); i++) {
        Row r = emb.get(i);
        String text = json.readTree(texts.get(i)).get("text").asText();
        check(r.getLong(r.fieldIndex("id")) == i, "embed row " + i + ": id " + r.get(r.fieldIndex("id")));
        check(text.equals(r.getString(r.fieldIndex("text"))), "embed row " + i + ": text " + r.get(r.fieldIndex(
            "text")));
        List<Float> p = r.getList(r.fieldIndex("pooled_output"));
        check(p.size() == h, "embed row " + i + ": pooled_output has " + p.size() + " values, expected " + h);
        for (int j = 0; j < h; j++) maxDiff = Math.max(maxDiff, Math.abs(p.get(j) - want[i * h + j]));

        Row q = pred.get(i);
        JsonNode label = json.readTree(labels.get(i));
        check(label.get("label").asText().equals(q.getString(q.fieldIndex("prediction"))), "predict row " + i + ": "
            + q.get(q.fieldIndex("prediction")) + ", jbert predict: " + label.get("label"));
        check(label.get("id").asInt() == q.getInt(q.fieldIndex("prediction_id")), "predict row " + i + ": id "
            + q.get(q.fieldIndex("prediction_id")) + ", jbert predict: " + label.get("id"));
        double dp = Math.abs(label.get("probability").asDouble() - q.getDouble(q.fieldIndex("probability")));
        check(dp <= TOLERANCE, "predict row " + i + ": probability differs from jbert predict's by " + dp);
        List<Float> lg = q.getList(q.fieldIndex("logits"));
        check(lg.size() == c, "predict row " + i + ": " + lg.size() + " logits, expected " + c);
        for (int j = 0; j < c; j++) maxLogitDiff = Math.max(maxLogitDiff, Math.abs(lg.get(j) - logits[i * c + j]));
      }
      int right = 0;
      for (int i = 0; i < texts.size(); i++) {
        String gold = json.readTree(texts.get(i)).get("label").asText();
        if (gold.equals(pred.get(i).getString(pred.get(i).fieldIndex("prediction")))) right++;
      }
      double accuracy = json.readTree(Files.readString(work.resolve("eval.out"))).get("accuracy").asDouble();
      check(Math.abs(accuracy - (double) right / texts.size()) <= 1e-12, "spark eval's accuracy " + accuracy
          + ", predict's labels: " + right + " of " + texts.size() + " right");
      check(maxDiff <= TOLERANCE, "pooled_output differs from jbert embed by " + maxDiff + " > " + TOLERANCE);
      check(maxLogitDiff <= TOLERANCE, "logits differ from jbert predict by " + maxLogitDiff + " > " + TOLERANCE);
      System.out.printf("outputs: ok (%d rows; max |spark-submit - one JVM|: pooled_output [%d] %.2e, logits [%d]"
          + " %.2e; labels equal; eval accuracy %d/%d)%n", texts.size(), h, maxDiff, c, maxLogitDiff, right,
          texts.size());
    } finally {
      spark.stop();
    }
  }

  static void check(boolean ok, String message) {
    if (!ok) {
      System.err.println("JobJarCheck: " + message);
      System.exit(1);
    }
  }
}
