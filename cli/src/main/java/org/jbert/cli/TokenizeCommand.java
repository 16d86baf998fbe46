package org.jbert.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.core.io.AtomicFiles;
import org.jbert.core.io.JsonLines;
import org.jbert.core.tokenize.BertTokenizer;
import org.jbert.core.tokenize.Features;
import org.jbert.core.tokenize.Preprocessor;
import org.jbert.core.tokenize.Token;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code jbert tokenize}: JSON Lines of {@code {"text": ..., "text_b": ...}} in, one JSON line of word pieces out per
 * input line, in order.
 */
@Command(
    name = "tokenize",
    mixinStandardHelpOptions = true,
    description = {
      "Tokenizes JSON Lines ({\"text\": ..., \"text_b\": ...}) with BERT's WordPiece tokenizer.",
      "Writes one JSON line per input line: tokens, ids (no special tokens) and offsets ([start,end) in Unicode"
          + " code points, as Hugging Face reports them); tokens_b, ids_b, offsets_b for text_b.",
      "With --max-length N also input_word_ids, input_mask, input_type_ids: [CLS] a [SEP] b [SEP],"
          + " longest-first truncation, padded to N."
    })
final class TokenizeCommand implements Runnable {

  @Mixin VocabOptions vocab;

  @Option(names = "--max-length", paramLabel = "N",
      description = "also write input_word_ids/input_mask/input_type_ids padded to N (at least 3)")
  Integer maxLength;

  @Option(names = "--input", paramLabel = "FILE", description = "JSON Lines input (default: standard input)")
  Path input;

  @Option(names = "--output", paramLabel = "FILE", description = "JSON Lines output (default: standard output)")
  Path output;

  @Override
  public void run() {
    if (maxLength != null && maxLength < 3) {
      throw new JbertException("--max-length " + maxLength
          + " is too small; expected at least 3 ([CLS], [SEP] and one token)");
    }
    BertTokenizer tokenizer = vocab.tokenizer();
    Preprocessor pre = maxLength == null ? null : new Preprocessor(tokenizer, maxLength, false);
    try (JsonLines in = input == null ? JsonLines.of("stdin", System.in) : JsonLines.open(input)) {
      if (output == null) {
        OutputStream out = System.out;
        tokenizeAll(in, tokenizer, pre, out);
        out.flush();
      } else {
        AtomicFiles.write(output, out -> tokenizeAll(in, tokenizer, pre, out));
      }
    } catch (UncheckedIOException e) {
      throw new JbertException("cannot write output (" + e.getCause().getMessage() + ")", e);
    } catch (IOException e) {
      throw new JbertException("cannot write output (" + e.getMessage() + ")", e);
    }
  }

  private static void tokenizeAll(JsonLines in, BertTokenizer tok, Preprocessor pre, OutputStream out)
      throws IOException {
    JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8);
    g.setRootValueSeparator(null);
    for (JsonLines.Line line = in.next(); line != null; line = in.next()) {
      String a = line.requireText("text");
      String b = line.optionalText("text_b");
      List<Token> ta = tok.tokenize(a);
      List<Token> tb = b == null ? null : tok.tokenize(b);
      g.writeStartObject();
      writeTokens(g, "", ta);
      if (tb != null) writeTokens(g, "_b", tb);
      if (pre != null) {
        Features f = pre.encodeTokens(List.of(ta), java.util.Collections.singletonList(tb));
        writeInts(g, "input_word_ids", f.inputWordIds()[0]);
        writeInts(g, "input_mask", f.inputMask()[0]);
        writeInts(g, "input_type_ids", f.inputTypeIds()[0]);
      }
      g.writeEndObject();
      g.writeRaw('\n');
    }
    g.flush();
  }

  private static void writeTokens(JsonGenerator g, String suffix, List<Token> tokens) throws IOException {
    g.writeArrayFieldStart("tokens" + suffix);
    for (Token t : tokens) g.writeString(t.text());
    g.writeEndArray();
    g.writeArrayFieldStart("ids" + suffix);
    for (Token t : tokens) g.writeNumber(t.id());
    g.writeEndArray();
    g.writeArrayFieldStart("offsets" + suffix);
    for (Token t : tokens) {
      g.writeStartArray();
      g.writeNumber(t.start());
      g.writeNumber(t.end());
      g.writeEndArray();
    }
    g.writeEndArray();
  }

  private static void writeInts(JsonGenerator g, String name, int[] values) throws IOException {
    g.writeArrayFieldStart(name);
    for (int v : values) g.writeNumber(v);
    g.writeEndArray();
  }
}
