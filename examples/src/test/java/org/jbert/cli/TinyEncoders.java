package org.jbert.cli;

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
 * Random tiny encoders (H 16, 1 layer, 2 heads, P 64) saved as jbert folders, with a vocabulary made for a test's
 * texts: special tokens, the texts' words, and every character alone and as a {@code ##} continuation, so each word
 * tokenizes without [UNK]. They stand in for BERT-base where a test runs a shipped config.
 */
final class TinyEncoders {
  private TinyEncoders() {}

  static Path write(Path dir, Collection<String> texts, boolean cased, long seed) {
    Set<String> v = new LinkedHashSet<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
    Set<String> chars = new LinkedHashSet<>();
    for (String text : texts) {
      String t = cased ? text : Normalizer.normalize(text.toLowerCase(Locale.ROOT), Normalizer.Form.NFD)
          .replaceAll("\\p{Mn}", "");
      for (String w : t.split("[^\\p{L}\\p{N}]+")) if (!w.isEmpty()) v.add(w);
      t.codePoints().filter(c -> !Character.isWhitespace(c)).forEach(c -> chars.add(Character.toString(c)));
    }
    v.addAll(chars);
    for (String c : chars) v.add("##" + c);
    BertConfig c = new BertConfig(v.size(), 16, 1, 2, 32, Activation.GELU_TANH, 0.0, 0.0, 64, 2, 0.02, 1e-12);
    try (BertModel m = BertModel.random(c, seed)) {
      m.save(dir);
      Files.write(dir.resolve("vocab.txt"), v);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }
}
