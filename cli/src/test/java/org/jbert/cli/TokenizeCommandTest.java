package org.jbert.cli;

import static org.jbert.cli.CliRun.assertOneLineError;
import static org.jbert.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jbert.cli.CliRun.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TokenizeCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void tokenizesTheArticleSentencesWithOffsetsAndEncoderInputs(@TempDir Path dir) throws Exception {
    Path in = dir.resolve("in.jsonl");
    Path out = dir.resolve("out.jsonl");
    Files.writeString(in, "{\"text\": \"I love pizza\"}\n\n{\"text\": \"India is my country\", \"text_b\": \"Italy!\"}\n");
    Result r = run("tokenize", "--input", in.toString(), "--output", out.toString(), "--max-length", "12");
    assertEquals(0, r.code(), r.err());
    List<String> lines = Files.readAllLines(out);
    assertEquals(2, lines.size());
    JsonNode a = JSON.readTree(lines.get(0));
    assertEquals("[\"i\",\"love\",\"pizza\"]", a.get("tokens").toString());
    assertEquals("[1045,2293,10733]", a.get("ids").toString());
    assertEquals("[[0,1],[2,6],[7,12]]", a.get("offsets").toString());
    assertEquals("[101,1045,2293,10733,102,0,0,0,0,0,0,0]", a.get("input_word_ids").toString());
    assertEquals("[1,1,1,1,1,0,0,0,0,0,0,0]", a.get("input_mask").toString());
    JsonNode b = JSON.readTree(lines.get(1));
    assertEquals("[\"italy\",\"!\"]", b.get("tokens_b").toString());
    assertEquals("[0,0,0,0,0,0,1,1,1,0,0,0]", b.get("input_type_ids").toString());
    assertEquals("[101,2634,2003,2026,2406,102,3304,999,102,0,0,0]", b.get("input_word_ids").toString());
  }

  @Test
  void casedFlagUsesTheCasedVocabulary(@TempDir Path dir) throws Exception {
    Path in = dir.resolve("in.jsonl");
    Path out = dir.resolve("out.jsonl");
    Files.writeString(in, "{\"text\": \"I love pizza\"}\n");
    Result r = run("tokenize", "--cased", "--input", in.toString(), "--output", out.toString());
    assertEquals(0, r.code(), r.err());
    JsonNode a = JSON.readTree(Files.readAllLines(out).get(0));
    assertEquals("[\"I\",\"love\",\"pizza\"]", a.get("tokens").toString());
    assertEquals("[146,1567,13473]", a.get("ids").toString());
    assertFalse(a.has("input_word_ids"), "no encoder inputs without --max-length");
  }

  @Test
  void emptyTextGivesNoTokens(@TempDir Path dir) throws Exception {
    Path in = dir.resolve("in.jsonl");
    Path out = dir.resolve("out.jsonl");
    Files.writeString(in, "{\"text\": \"\"}\n");
    assertEquals(0, run("tokenize", "--input", in.toString(), "--output", out.toString(), "--max-length", "4").code());
    JsonNode a = JSON.readTree(Files.readAllLines(out).get(0));
    assertEquals("[]", a.get("tokens").toString());
    assertEquals("[101,102,0,0]", a.get("input_word_ids").toString());
  }

  @Test
  void badJsonLineIsNamedByFileAndLine(@TempDir Path dir) throws Exception {
    Path in = dir.resolve("bad.jsonl");
    Path out = dir.resolve("out.jsonl");
    Files.writeString(in, "{\"text\": \"ok\"}\n{\"text\": oops}\n");
    assertOneLineError(run("tokenize", "--input", in.toString(), "--output", out.toString()),
        "bad.jsonl:2", "not valid JSON");
    assertFalse(Files.exists(out), "no half-written output");
  }

  @Test
  void missingTextIsNamed(@TempDir Path dir) throws Exception {
    Path in = dir.resolve("notext.jsonl");
    Files.writeString(in, "{\"txt\": \"typo\"}\n");
    assertOneLineError(run("tokenize", "--input", in.toString()), "notext.jsonl:1", "\"text\"");
  }

  @Test
  void nonUtf8InputIsNamed(@TempDir Path dir) throws Exception {
    Path in = dir.resolve("latin1.jsonl");
    Files.write(in, "{\"text\": \"caf\u00e9\"}\n".getBytes(StandardCharsets.ISO_8859_1));
    assertOneLineError(run("tokenize", "--input", in.toString()), "latin1.jsonl:1", "UTF-8");
  }

  @Test
  void maxLengthBelowThreeIsRejected() {
    assertOneLineError(run("tokenize", "--max-length", "2"), "--max-length 2", "at least 3");
  }

  @Test
  void missingVocabFileIsNamed(@TempDir Path dir) {
    assertOneLineError(run("tokenize", "--vocab", dir.resolve("nope.txt").toString()), "nope.txt");
  }

  @Test
  void missingInputFileIsNamed(@TempDir Path dir) {
    assertOneLineError(run("tokenize", "--input", dir.resolve("absent.jsonl").toString()), "absent.jsonl", "not found");
  }

  @Test
  void everySubcommandHasHelp() {
    StringWriter out = new StringWriter();
    CommandLine cl = Main.newCommandLine();
    cl.setOut(new PrintWriter(out));
    assertEquals(0, cl.execute("tokenize", "--help"));
    assertTrue(out.toString().contains("--max-length"));
  }
}
