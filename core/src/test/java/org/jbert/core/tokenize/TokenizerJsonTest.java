package org.jbert.core.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.zip.GZIPInputStream;
import org.jbert.core.JbertException;
import org.jbert.core.weights.HuggingFaceSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Model folders with Hugging Face's fast-tokenizer files and no vocab.txt (issue 12 item 5). The tokenizer.json
 * fixtures were written by the Python {@code tokenizers} package from the bundled vocab.txt files
 * (src/test/resources/tokenizer-json/make_tokenizer_json.py); the ids they give here must equal the golden ids that
 * transformers' BertTokenizer gives with vocab.txt on all 288 texts (exact: integers).
 */
class TokenizerJsonTest {
  private static JsonNode golden;
  @TempDir Path dir;

  @BeforeAll
  static void load() throws IOException {
    try (InputStream in = TokenizerJsonTest.class.getResourceAsStream("/tokenizer/hf-tokenizer-golden.json.gz")) {
      golden = new ObjectMapper().readTree(new GZIPInputStream(in));
    }
  }

  private Path folderWithTokenizerJson(String kase) throws IOException {
    Path f = Files.createDirectories(dir.resolve(kase));
    try (InputStream in = getClass().getResourceAsStream("/tokenizer-json/tokenizer-" + kase + ".json.gz")) {
      Files.write(f.resolve(TokenizerConfig.TOKENIZER_FILE), new GZIPInputStream(in).readAllBytes());
    }
    return f;
  }

  @ParameterizedTest
  @ValueSource(strings = {"uncased", "cased"})
  void tokenizerJsonGivesTheIdsOfVocabTxtOnTheGoldenSet(String kase) throws IOException {
    Path f = folderWithTokenizerJson(kase);
    BertTokenizer tok = TokenizerConfig.tokenizer(f.resolve(TokenizerConfig.TOKENIZER_FILE));
    Vocab bundled = Vocab.bundled("bert-base-" + kase);
    assertEquals(bundled.tokens(), tok.vocab().tokens(), "model.vocab in id order is vocab.txt line by line");
    assertEquals(kase.equals("uncased"), tok.lowerCase(), "lower-casing from tokenizer.json's BertNormalizer");
    BertTokenizer fromTxt = new BertTokenizer(bundled, kase.equals("uncased"));
    JsonNode rows = golden.get(kase).get("rows");
    int n = 0;
    for (int i = 0; i < rows.size(); i++) {
      String text = golden.get("texts").get(i).asText();
      int[] want = new int[rows.get(i).get("ids").size()];
      for (int j = 0; j < want.length; j++) want[j] = rows.get(i).get("ids").get(j).asInt();
      assertArrayEquals(want, tok.ids(text), kase + " text " + i);
      assertArrayEquals(fromTxt.ids(text), tok.ids(text), kase + " text " + i);
      n++;
    }
    assertEquals(288, n);
  }

  @Test
  void aHuggingFaceFolderWithoutVocabTxtOffersTokenizerJson() throws IOException {
    Path f = folderWithTokenizerJson("uncased");
    Files.writeString(f.resolve(HuggingFaceSource.CONFIG_FILE), "{}");
    Path v = f.resolve(HuggingFaceSource.TOKENIZER_FILE);
    assertEquals(v, HuggingFaceSource.vocabOf(f).orElseThrow());
    Files.writeString(f.resolve(HuggingFaceSource.VOCAB_FILE), "[UNK]\n[CLS]\n[SEP]\n");
    assertEquals(f.resolve(HuggingFaceSource.VOCAB_FILE), HuggingFaceSource.vocabOf(f).orElseThrow(),
        "vocab.txt wins");
  }

  @Test
  void tokenizerConfigSwitchesAreRead() throws IOException {
    Path f = folderWithTokenizerJson("uncased");
    Vocab v = Vocab.load(f.resolve(TokenizerConfig.TOKENIZER_FILE));
    TokenizerConfig dflt = TokenizerConfig.forFolder(f, v);
    assertEquals(new TokenizerConfig(true, true, true, OptionalInt.empty()), dflt);
    assertEquals(List.of("cafe"), words(dflt, v, "Café"));
    assertEquals(List.of("中", "文"), words(dflt, v, "中文"));

    Files.writeString(f.resolve(TokenizerConfig.CONFIG_FILE), "{\"do_lower_case\": true, \"strip_accents\": false,"
        + " \"tokenize_chinese_chars\": false, \"model_max_length\": 64}");
    TokenizerConfig c = TokenizerConfig.forFolder(f, v);
    assertEquals(new TokenizerConfig(true, false, false, OptionalInt.of(64)), c);
    assertEquals(List.of("café"), words(c, v, "Café"), "lower-cased, accent kept");
    assertEquals(List.of("中文"), words(c, v, "中文"), "ideographs stay one word");
    assertEquals(64, c.cap(128));

    Files.writeString(f.resolve(TokenizerConfig.CONFIG_FILE), "{\"do_lower_case\": false, \"strip_accents\": true,"
        + " \"model_max_length\": 1000000000000000019884624838656}");
    TokenizerConfig d = TokenizerConfig.forFolder(f, v);
    assertFalse(d.lowerCase());
    assertEquals(List.of("Cafe"), words(d, v, "Café"), "accents stripped without lower-casing");
    assertTrue(d.modelMaxLength().isEmpty(), "HF's 1e30 sentinel means no limit");
  }

  private static List<String> words(TokenizerConfig c, Vocab v, String text) {
    return new BasicTokenizer(c.lowerCase(), c.stripAccents(), c.tokenizeChineseChars(), v.specialTokens())
        .tokenize(text).stream().map(Token::text).toList();
  }

  @Test
  void badTokenizerFilesAreOneLineErrors() throws IOException {
    Path f = Files.createDirectories(dir.resolve("bad"));
    Path cfg = f.resolve(TokenizerConfig.CONFIG_FILE);
    Files.writeString(cfg, "{\"do_lower_case\": \"yes\"}");
    Vocab v = Vocab.bundled("bert-base-uncased");
    assertEquals(cfg + ": key do_lower_case is \"yes\"; expected true or false",
        assertThrows(JbertException.class, () -> TokenizerConfig.forFolder(f, v)).getMessage());
    Files.writeString(cfg, "{\"model_max_length\": -3}");
    assertEquals(cfg + ": key model_max_length is -3; expected a positive integer",
        assertThrows(JbertException.class, () -> TokenizerConfig.forFolder(f, v)).getMessage());
    Path tj = f.resolve(TokenizerConfig.TOKENIZER_FILE);
    Files.writeString(tj, "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}}}");
    assertEquals(tj + ": key model.type is 'BPE'; expected WordPiece (a BERT tokenizer)",
        assertThrows(JbertException.class, () -> Vocab.load(tj)).getMessage());
    Files.writeString(tj, "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"[UNK]\": 0, \"[CLS]\": 2}}}");
    assertEquals(tj + ": key model.vocab.[CLS] is 2; expected an id in [0, 2) that no other token has",
        assertThrows(JbertException.class, () -> Vocab.load(tj)).getMessage());
  }
}
