package org.jbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.jbert.core.model.BertModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code jbert fill-mask} on the default model (BERT-base uncased) and its errors. */
class FillMaskCommandTest {

  /** Runs the CLI (with this subcommand added, as Main registers it) and returns {exit code, stdout, stderr}. */
  private static String[] run(String... args) {
    CommandLine cl = Main.newCommandLine();
    if (!cl.getSubcommands().containsKey("fill-mask")) cl.addSubcommand(new FillMaskCommand());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new String[] {String.valueOf(code), out.toString(), err.toString()};
  }

  @Test
  void printsTopKPerMaskAsTableAndJson() throws Exception {
    String[] r = run("fill-mask", "--top-k", "3", "The capital of France is [MASK].", "I [MASK] you [MASK].");
    assertEquals("0", r[0], r[2]);
    System.out.print(r[1]);
    String[] lines = r[1].split("\n");
    assertEquals("The capital of France is [MASK].", lines[0]);
    assertEquals("  [MASK] 1 of 1 (token 6):", lines[1]);
    assertTrue(lines[2].matches("\\s+1\\. paris\\s+0\\.\\d{4}"), lines[2]);
    assertEquals(1 + 4 + 1 + 2 * 4, lines.length, "3 candidates per mask, 1 + 2 masks");

    String[] j = run("fill-mask", "--json", "--top-k", "2", "--model", "bert-base-uncased",
        "Paris is the capital of [MASK].");
    assertEquals("0", j[0], j[2]);
    JsonNode n = new ObjectMapper().readTree(j[1].strip());
    JsonNode c = n.get("masks").get(0).get("candidates");
    assertEquals(2, c.size());
    assertEquals("france", c.get(0).get("token").asText());
    assertTrue(c.get(0).get("probability").asDouble() > 0.5);
  }

  @Test
  void errorsAreOneLine(@TempDir Path dir) {
    String[] none = run("fill-mask", "There is nothing to predict.");
    assertEquals(String.valueOf(Main.BAD_INPUT), none[0]);
    assertTrue(none[2].contains("no [MASK]") && none[2].contains("There is nothing to predict."), none[2]);
    assertFalse(none[2].strip().contains("\n"), none[2]);
    String[] k = run("fill-mask", "--top-k", "0", "a [MASK]");
    assertEquals(String.valueOf(Main.BAD_INPUT), k[0]);
    assertTrue(k[2].contains("--top-k 0"), k[2]);
    String[] missing = run("fill-mask", "--model", dir.resolve("nope").toString(), "a [MASK]");
    assertEquals(String.valueOf(Main.BAD_INPUT), missing[0]);
    assertTrue(missing[2].contains("nope") && missing[2].contains("not found"), missing[2]);
  }

  /** Issue 15 item 12: an encoder-only folder is refused, as predict refuses it, unless --fresh-head is given. */
  @Test
  void encoderOnlyFolderNeedsFreshHead(@TempDir Path tmp) throws Exception {
    Path encoder = tmp.resolve("encoder-only");
    try (BertModel m = BertModel.random(PredictCommandTest.TINY, 5)) {
      m.save(encoder);
    }
    java.nio.file.Files.write(encoder.resolve("vocab.txt"), EmbedCommandTest.VOCAB);
    String[] refused = run("fill-mask", "--model", encoder.toString(), "i love [MASK] .");
    assertEquals(String.valueOf(Main.BAD_INPUT), refused[0]);
    assertTrue(refused[2].contains("no MLM head (cls/predictions/*)") && refused[2].contains("--fresh-head"),
        refused[2]);
    assertFalse(refused[2].strip().contains("\n"), refused[2]);
    assertEquals("", refused[1], "nothing answered");
    String[] fresh = run("fill-mask", "--model", encoder.toString(), "--fresh-head", "--top-k", "2", "i love [MASK] .");
    assertEquals("0", fresh[0], fresh[2]);
    assertTrue(fresh[1].contains("[MASK] 1 of 1"), fresh[1]);
  }
}
