package org.jbert.core.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.Set;
import org.jbert.core.JbertException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocabTest {
  @TempDir Path dir;

  private Path write(String name, byte[] content) throws IOException {
    Path f = dir.resolve(name);
    Files.write(f, content);
    return f;
  }

  @Test
  void bundledVocabulariesHaveBertBaseSizesAndIds() {
    Vocab u = Vocab.bundled("bert-base-uncased");
    assertEquals(30522, u.size());
    assertEquals(0, u.padId());
    assertEquals(100, u.unkId());
    assertEquals(101, u.clsId());
    assertEquals(102, u.sepId());
    assertEquals(103, u.maskId());
    assertEquals(Set.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"), u.specialTokens());
    assertEquals(OptionalInt.of(1045), u.id("i"));
    assertEquals("i", u.token(1045));
    assertEquals(28996, Vocab.bundled("bert-base-cased").size());
    JbertException e = assertThrows(JbertException.class, () -> Vocab.bundled("bert-large"));
    assertTrue(e.getMessage().contains("bert-large"), e.getMessage());
  }

  @Test
  void crlfLinesAndLookups() throws IOException {
    Vocab v = Vocab.load(write("v.txt", "[UNK]\r\n[CLS]\r\n[SEP]\r\nhello\r\n".getBytes(StandardCharsets.UTF_8)));
    assertEquals(4, v.size());
    assertEquals(3, v.idOrUnk("hello"));
    assertEquals(0, v.idOrUnk("nope"));
    assertEquals(OptionalInt.empty(), v.id("nope"));
    assertEquals(-1, v.maskId());
  }

  @Test
  void duplicateTokensResolveToTheLastLineLikeHuggingFace() throws IOException {
    Vocab v = Vocab.load(write("v.txt", "[UNK]\n[CLS]\n[SEP]\ndup\nx\ndup\n".getBytes(StandardCharsets.UTF_8)));
    assertEquals(6, v.size());
    assertEquals(5, v.idOrUnk("dup"));
    assertEquals("dup", v.token(3));
    assertEquals(5, new BertTokenizer(v, false).ids("dup")[0]);
  }

  @Test
  void continuationPiecesAreThoseStartingWithHashHash() {
    Vocab u = Vocab.bundled("bert-base-uncased");
    assertTrue(u.isContinuation(u.id("##ing").getAsInt()));
    assertTrue(!u.isContinuation(u.id("play").getAsInt()));
    assertTrue(!u.isContinuation(u.id("#").getAsInt()));
    assertTrue(!u.isContinuation(u.clsId()));
    JbertException e = assertThrows(JbertException.class, () -> u.isContinuation(u.size()));
    assertTrue(e.getMessage().contains(String.valueOf(u.size())), e.getMessage());
  }

  @Test
  void missingFileNamesThePath() {
    Path missing = dir.resolve("nope/vocab.txt");
    JbertException e = assertThrows(JbertException.class, () -> Vocab.load(missing));
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    assertTrue(!e.getMessage().contains("\n"));
  }

  @Test
  void vocabWithoutRequiredSpecialTokensNamesFileAndToken() throws IOException {
    for (String missing : new String[] {"[UNK]", "[CLS]", "[SEP]"}) {
      String content = String.join("\n", java.util.stream.Stream.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "a")
          .filter(t -> !t.equals(missing)).toList());
      Path f = write("v" + missing.charAt(1) + ".txt", content.getBytes(StandardCharsets.UTF_8));
      JbertException e = assertThrows(JbertException.class, () -> Vocab.load(f));
      assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
      assertTrue(e.getMessage().contains("no " + missing), e.getMessage());
    }
  }

  @Test
  void nonUtf8NamesFileAndLine() throws IOException {
    byte[] bad = {'[', 'U', 'N', 'K', ']', '\n', 'o', 'k', '\n', 'b', (byte) 0xC3, (byte) 0x28, '\n'};
    Path f = write("latin.txt", bad);
    JbertException e = assertThrows(JbertException.class, () -> Vocab.load(f));
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("line 3"), e.getMessage());
    assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
  }
}
