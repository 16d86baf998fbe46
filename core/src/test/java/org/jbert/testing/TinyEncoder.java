package org.jbert.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jbert.core.config.Activation;
import org.jbert.core.config.BertConfig;
import org.jbert.core.model.BertModel;

/**
 * A random tiny encoder (H 16, 1 layer, 2 heads, P 64) saved as a jbert folder with a vocabulary made for the test's
 * texts: special tokens, the texts' words, and every character alone and as a {@code ##} continuation, so each word
 * tokenizes without [UNK]. It stands in for BERT-base where a test runs a shipped config.
 */
public final class TinyEncoder {
  private TinyEncoder() {}

  /** The vocabulary of {@code texts}: lower-cased and accent-stripped unless {@code cased}. */
  public static List<String> vocab(Collection<String> texts, boolean cased) {
    Set<String> v = new LinkedHashSet<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
    Set<String> chars = new LinkedHashSet<>();
    for (String text : texts) {
      String t = cased ? text : Normalizer.normalize(text.toLowerCase(Locale.ROOT), Normalizer.Form.NFD)
          .replaceAll("\\p{Mn}", "");
      for (String w : t.split("[^\\p{L}\\p{N}]+")) if (!w.isEmpty()) v.add(w);
      t.codePoints().filter(c -> !Character.isWhitespace(c)).forEach(c -> chars.add(Character.toString(c)));
    }
    for (String c : chars) v.add(c);
    for (String c : chars) v.add("##" + c);
    return List.copyOf(v);
  }

  /** Saves the encoder with {@code vocab} into {@code dir}; returns {@code dir}. */
  public static Path write(Path dir, List<String> vocab, long seed) {
    BertConfig c = new BertConfig(vocab.size(), 16, 1, 2, 32, Activation.GELU_TANH, 0.0, 0.0, 64, 2, 0.02, 1e-12);
    try (BertModel m = BertModel.random(c, seed)) {
      m.save(dir);
      Files.write(dir.resolve("vocab.txt"), vocab);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  /** {@link #write(Path, List, long)} with {@link #vocab}{@code (texts, cased)}. */
  public static Path write(Path dir, Collection<String> texts, boolean cased, long seed) {
    return write(dir, vocab(texts, cased), seed);
  }
}
