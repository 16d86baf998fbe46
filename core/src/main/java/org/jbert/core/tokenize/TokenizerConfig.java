package org.jbert.core.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.jbert.core.JbertException;
import org.jbert.core.io.JsonFiles;

/**
 * How a model folder's text is tokenized, read from the files Hugging Face puts beside the weights: the vocabulary
 * ({@code vocab.txt}, else the WordPiece {@code model.vocab} of the fast tokenizer's {@code tokenizer.json}) and the
 * switches of {@code tokenizer_config.json} ({@code do_lower_case}, {@code strip_accents},
 * {@code tokenize_chinese_chars}, {@code model_max_length}). A switch missing there comes from tokenizer.json's
 * {@code BertNormalizer} ({@code lowercase}, {@code strip_accents}, {@code handle_chinese_chars}), else from the
 * defaults: lower-casing when the vocabulary is uncased ({@link Vocab#isCased()}), accents stripped when lower-casing,
 * CJK ideographs split.
 *
 * @param lowerCase lower-case the text
 * @param stripAccents NFD and drop non-spacing marks
 * @param tokenizeChineseChars every CJK ideograph a word of its own
 * @param modelMaxLength the longest input the tokenizer was made for, when the folder says (HF's sentinel for "no
 *     limit", 1e30, counts as absent)
 */
public record TokenizerConfig(boolean lowerCase, boolean stripAccents, boolean tokenizeChineseChars,
    OptionalInt modelMaxLength) {
  /** Hugging Face's slow tokenizer's settings file. */
  public static final String CONFIG_FILE = "tokenizer_config.json";
  /** Hugging Face's fast tokenizer file. */
  public static final String TOKENIZER_FILE = "tokenizer.json";

  /** The settings BERT's own uncased/cased tokenizers use. */
  public static TokenizerConfig of(boolean lowerCase) {
    return new TokenizerConfig(lowerCase, lowerCase, true, OptionalInt.empty());
  }

  /**
   * The tokenizer of the vocabulary file {@code vocabFile} (a vocab.txt or a tokenizer.json) with the settings of
   * the folder holding it ({@link #forFolder}).
   */
  public static BertTokenizer tokenizer(Path vocabFile) {
    Vocab v = Vocab.load(vocabFile);
    return forFolder(vocabFile.toAbsolutePath().getParent(), v).tokenizer(v);
  }

  /** The settings of the tokenizer files in {@code folder} for {@code vocab} (see the class comment). */
  public static TokenizerConfig forFolder(Path folder, Vocab vocab) {
    Path cfgFile = folder.resolve(CONFIG_FILE);
    JsonNode cfg = Files.isRegularFile(cfgFile) ? JsonFiles.readObject(cfgFile) : null;
    Path tokFile = folder.resolve(TOKENIZER_FILE);
    JsonNode norm = null;
    if (Files.isRegularFile(tokFile)) {
      JsonNode n = JsonFiles.readObject(tokFile).get("normalizer");
      if (n != null && "BertNormalizer".equals(n.path("type").asText())) norm = n;
    }
    Boolean lower = bool(cfgFile, cfg, "do_lower_case");
    if (lower == null) lower = bool(tokFile, norm, "lowercase");
    if (lower == null) lower = !vocab.isCased();
    Boolean strip = bool(cfgFile, cfg, "strip_accents");
    if (strip == null) strip = bool(tokFile, norm, "strip_accents");
    if (strip == null) strip = lower;
    Boolean cjk = bool(cfgFile, cfg, "tokenize_chinese_chars");
    if (cjk == null) cjk = bool(tokFile, norm, "handle_chinese_chars");
    if (cjk == null) cjk = true;
    OptionalInt max = OptionalInt.empty();
    JsonNode m = cfg == null ? null : cfg.get("model_max_length");
    if (m != null && !m.isNull()) {
      if (!m.isNumber() || m.asDouble() < 1 || m.asDouble() != Math.rint(m.asDouble())) {
        throw new JbertException(cfgFile + ": key model_max_length is " + m + "; expected a positive integer");
      }
      if (m.asDouble() <= Integer.MAX_VALUE) max = OptionalInt.of((int) m.asDouble());
    }
    return new TokenizerConfig(lower, strip, cjk, max);
  }

  /** A boolean switch, null when absent or JSON null; another type is an error naming the file and key. */
  private static Boolean bool(Path file, JsonNode obj, String key) {
    JsonNode v = obj == null ? null : obj.get(key);
    if (v == null || v.isNull()) return null;
    if (!v.isBoolean()) throw new JbertException(file + ": key " + key + " is " + v + "; expected true or false");
    return v.asBoolean();
  }

  /** A tokenizer with these settings over {@code vocab}. */
  public BertTokenizer tokenizer(Vocab vocab) {
    return new BertTokenizer(vocab, lowerCase, stripAccents, tokenizeChineseChars);
  }

  /** {@code maxLength} cut to {@link #modelMaxLength()} when the folder gives one. */
  public int cap(int maxLength) {
    return modelMaxLength.isPresent() ? Math.min(maxLength, modelMaxLength.getAsInt()) : maxLength;
  }

  /**
   * The vocabulary of a tokenizer.json: its {@code model} must be WordPiece with the {@code ##} continuation prefix,
   * and {@code model.vocab} must map tokens to the ids 0..V-1, each once.
   */
  static Vocab vocabOfTokenizerJson(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new JbertException("vocabulary file " + file + " does not exist; expected a BERT vocab.txt or "
          + TOKENIZER_FILE);
    }
    JsonNode model = JsonFiles.readObject(file).path("model");
    String type = model.path("type").asText("");
    if (!type.equals("WordPiece")) {
      throw new JbertException(file + ": key model.type is '" + type + "'; expected WordPiece (a BERT tokenizer)");
    }
    String prefix = model.path("continuing_subword_prefix").asText("##");
    if (!prefix.equals("##")) {
      throw new JbertException(file + ": key model.continuing_subword_prefix is '" + prefix + "'; expected ##");
    }
    JsonNode vocab = model.get("vocab");
    if (vocab == null || !vocab.isObject() || vocab.isEmpty()) {
      throw new JbertException(file + ": key model.vocab is " + (vocab == null ? "missing" : "not a non-empty object")
          + "; expected an object token -> id");
    }
    String[] byId = new String[vocab.size()];
    for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode id = e.getValue();
      if (!id.canConvertToInt() || !id.isIntegralNumber() || id.asInt() < 0 || id.asInt() >= byId.length
          || byId[id.asInt()] != null) {
        throw new JbertException(file + ": key model.vocab." + e.getKey() + " is " + id + "; expected an id in [0, "
            + byId.length + ") that no other token has");
      }
      byId[id.asInt()] = e.getKey();
    }
    List<String> tokens = new ArrayList<>(Arrays.asList(byId));
    return Vocab.of(file.toString(), tokens);
  }
}
