package org.jbert.core.tokenize;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A tiny inline vocabulary for unit tests, written to a temp file and loaded with {@link Vocab#load}. */
final class TinyVocab {
  static final List<String> LINES = List.of(
      "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", // 0-4
      "un", "##aff", "##able", "the", "hello", // 5-9
      "world", ",", "!", "北", "京", // 10-14
      "a", "##a", "cafe", "café", "i", // 15-19
      "x", "y", "[", "]", "mask", // 20-24
      "$", "b", "c", "d", "e", // 25-29
      "«", "»", "hi", "ᄉ", "##ᅥ", // 30-34
      "\uD83C\uDF55", "##\uD83C\uDF55"); // 35-36: U+1F355 pizza, outside the BMP

  private TinyVocab() {}

  static Vocab load(Path dir) {
    try {
      Path f = dir.resolve("vocab.txt");
      Files.write(f, String.join("\n", LINES).concat("\n").getBytes(StandardCharsets.UTF_8));
      return Vocab.load(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
