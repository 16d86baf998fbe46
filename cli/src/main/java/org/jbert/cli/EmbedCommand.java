package org.jbert.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jbert.core.JbertException;
import org.jbert.core.graph.MatmulPrecision;
import org.jbert.core.io.InputRows;
import org.jbert.core.io.Npz;
import org.jbert.core.model.BatchEncoder;
import org.jbert.core.model.Bert;
import org.jbert.core.model.PretrainedModels;
import org.jbert.core.tokenize.Features;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jbert embed}: texts or pre-tokenized rows in, every encoder output out as NumPy {@code .npz}. */
@Command(
    name = "embed",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the BERT encoder and writes an .npz with input_word_ids, input_mask, input_type_ids [B,T] (int32),"
          + " default and pooled_output [B,H], sequence_output [B,T,H] and encoder_outputs [L,B,T,H] (float32).",
      "Input: TEXT arguments, or JSON Lines with text (and text_b) or pre-tokenized input_word_ids"
          + " (with input_mask and input_type_ids, default all 1 and all 0; aliases input_ids, attention_mask,"
          + " token_type_ids, segment_ids; rows of different lengths are padded to the longest; no vocabulary needed).",
      "Text is padded to the longest row (dynamic padding) unless --no-dynamic-padding pads to --max-length like"
          + " TF Hub; outputs on real tokens are the same either way, and with dynamic padding padded positions hold 0."
    })
final class EmbedCommand implements Runnable {

  @Option(names = "--model", paramLabel = "DIR|NAME", defaultValue = PretrainedModels.DEFAULT,
      description = "model folder (SavedModel, Google checkpoint, Hugging Face or jbert) or name:"
          + " bert-base-uncased (default), bert-base-cased")
  String model;

  @Option(names = "--max-length", paramLabel = "N", defaultValue = "128",
      description = "longest sequence, [CLS] and [SEP] included (default: ${DEFAULT-VALUE})")
  int maxLength;

  @Option(names = "--batch-size", paramLabel = "B", defaultValue = "32", description = "rows per batch (default: 32)")
  int batchSize;

  @Option(names = "--no-dynamic-padding", description = "pad every text row to --max-length, as TF Hub does")
  boolean fixedPadding;

  @Option(names = "--precision", paramLabel = "float32|bf16", defaultValue = "float32",
      description = "dense products in float32 (default, within 1e-4 of TF) or bf16 (faster with nd4j's oneDNN build on"
          + " AVX512_BF16 CPUs; hidden states move by up to ~0.1: docs/PERFORMANCE.md)")
  String precision;

  @Option(names = "--input", paramLabel = "FILE.jsonl", description = "JSON Lines input instead of TEXT arguments")
  Path input;

  @Option(names = "--output", paramLabel = "OUT.npz", required = true, description = "the .npz to write")
  Path output;

  @Parameters(paramLabel = "TEXT", arity = "0..*", description = "texts to embed")
  List<String> texts = new ArrayList<>();

  @Override
  public void run() {
    if (maxLength < 3) throw new JbertException("--max-length " + maxLength + " is too small; expected at least 3");
    if (batchSize < 1) throw new JbertException("--batch-size " + batchSize + " must be at least 1");
    if (input != null && !texts.isEmpty()) {
      throw new JbertException("give either TEXT arguments or --input FILE.jsonl, not both");
    }
    if (input == null && texts.isEmpty()) throw new JbertException("nothing to embed: give TEXT arguments or --input");
    MatmulPrecision p = switch (precision) {
      case "float32" -> MatmulPrecision.FLOAT32;
      case "bf16" -> MatmulPrecision.BF16;
      default -> throw new JbertException("--precision '" + precision + "'; expected float32 or bf16");
    };
    try (Bert bert = Bert.load(model, p)) {
      Features f = input == null
          ? bert.preprocess(texts, null, maxLength, !fixedPadding)
          : readJsonLines(bert, input, maxLength, !fixedPadding).features();
      Map<String, Npz.Array> arrays = BatchEncoder.encodeAll(bert.model(), f, batchSize, !fixedPadding);
      Npz.write(output, arrays);
      System.err.printf("wrote %s: %d rows, T=%d, %d layers of H=%d%n", output, f.batchSize(), f.seqLength(),
          bert.config().numHiddenLayers(), bert.config().hiddenSize());
    }
  }

  /**
   * Text rows go through the model's preprocessor; pre-tokenized rows are taken as they are (padded to the longest,
   * and need no vocabulary); every row is checked against the model ({@link InputRows}).
   */
  static InputRows readJsonLines(Bert bert, Path file, int maxLength, boolean dynamic) {
    InputRows rows = InputRows.read(file, (a, b) -> bert.preprocess(a, b, maxLength, dynamic), "embed");
    rows.check(bert.config());
    return rows;
  }
}
