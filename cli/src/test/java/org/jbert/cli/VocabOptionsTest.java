package org.jbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jbert.core.JbertException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class VocabOptionsTest {
  /** Parses {@code args} into a fresh VocabOptions, as a command using the mixin would. */
  private static VocabOptions parse(String... args) {
    VocabOptions o = new VocabOptions();
    new CommandLine(o).parseArgs(args);
    return o;
  }

  @Test
  void defaultsAndBundledNamesPickTheBundledVocabularies() {
    assertEquals("bundled:bert-base-uncased", parse().load().source());
    assertEquals("bundled:bert-base-cased", parse("--cased").load().source());
    assertEquals("bundled:bert-base-cased", parse("--vocab", "bert-base-cased").load().source());
    assertEquals("bundled:bert-base-uncased", parse("--vocab", "bert-base-uncased", "--cased").load().source());
    assertEquals("i", parse().tokenizer().tokenize("I").get(0).text(), "lower-cases by default");
    assertEquals("I", parse("--cased").tokenizer().tokenize("I").get(0).text(), "--cased keeps case");
  }

  @Test
  void aVocabFileIsLoadedAndAMissingOneIsNamed(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("vocab.txt");
    Files.writeString(f, "[UNK]\n[CLS]\n[SEP]\nhello\n");
    assertEquals(4, parse("--vocab", f.toString()).load().size());
    Path missing = dir.resolve("nope.txt");
    JbertException e = assertThrows(JbertException.class, () -> parse("--vocab", missing.toString()).load());
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
  }
}
