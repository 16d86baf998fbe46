package org.jbert.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jbert.core.JbertException;
import org.jbert.core.io.AtomicFiles;
import org.jbert.core.io.InputRows;
import org.jbert.core.io.Npz;
import org.jbert.core.model.RowBatches;
import org.jbert.core.tokenize.Features;
import org.jbert.core.tokenize.Preprocessor;
import org.jbert.core.tokenize.TokenizerConfig;
import org.jbert.core.tokenize.Truncation;
import org.jbert.core.tokenize.Vocab;
import org.jbert.finetune.head.Predictions;
import org.jbert.finetune.LoadedModel;
import org.jbert.finetune.Models;
import org.jbert.finetune.TaskModel;
import org.jbert.finetune.head.HeadOutputs;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jbert predict}: a saved or imported model with its head (classification, tagging, QA or the pretraining
 * heads) over JSON Lines rows, the head's outputs as NumPy {@code .npz}, and the predicted label names when the model
 * has a label map. {@link Models#openWithHead} decides which head a folder loads with; the label lines come from
 * {@link Predictions#jsonLines}; the .npz and the labels file are written together or not at all.
 */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Runs a model with its head and writes an .npz with input_word_ids, input_mask, input_type_ids [N,T] (int32)"
          + " and the head's outputs (float32): logits [N,C] (sequence classification and regression), logits"
          + " [N,T,C] (token classification), start_logits and end_logits [N,T] (question answering), or"
          + " prediction_logits [N,T,V] and seq_relationship_logits [N,2] (pretraining heads). Rows stay in input"
          + " order.",
      "%nModels: a jbert folder saved with a task head; a Hugging Face folder (config.json + model.safetensors) whose"
          + " architectures or weights name BertForSequenceClassification, BertForTokenClassification or"
          + " BertForQuestionAnswering; otherwise the pretraining heads of a BertForPreTraining/BertForMaskedLM"
          + " folder, a jbert pretraining folder, a TF SavedModel, a Google checkpoint or a pretrained name."
          + " Google's BERT-base SavedModels (bert-base-uncased, bert-base-cased) hold the MLM head but no NSP head:"
          + " then seq_relationship_logits is left out and a note says so. Weights with no head at all are an"
          + " error (use jbert embed for encoder outputs).",
      "%nInput: JSON Lines, each line a text row {\"text\": ..., \"text_b\": ...} (tokenized with the model's"
          + " vocab.txt, truncated longest-first to --max-length) or a pre-tokenized row {\"input_word_ids\": [...],"
          + " \"input_mask\": [...], \"input_type_ids\": [...]} (mask default all 1, types all 0; aliases input_ids,"
          + " attention_mask, token_type_ids, segment_ids; used as given, at most the model's"
          + " max_position_embeddings; rows may differ in length and are padded to the longest).",
      "%nPadding: each batch runs only to its longest real row (rows are batched by length), then outputs are padded"
          + " back to one T for the npz: T is the longest text row (at most --max-length) or the longest"
          + " pre-tokenized row, and per-token outputs hold 0 at every padded position (input_mask 0). Outputs on"
          + " real tokens do not depend on the padding. --no-dynamic-padding runs every row at the full T (text padded to"
          + " --max-length) and keeps what the model computes at padded positions, as Hugging Face returns them.",
      "%nMemory: prediction_logits holds N x T x V floats (V = 30522 for BERT-base: 15 MB per row at T = 128); split"
          + " large inputs into several files."
    })
public final class PredictCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", paramLabel = "DIR|NAME", required = true,
      description = "the model: a jbert or Hugging Face folder, a TF SavedModel or Google checkpoint folder, or a"
          + " pretrained name (bert-base-uncased, bert-base-cased)")
  String model;

  @Option(names = "--input", paramLabel = "FILE.jsonl", required = true,
      description = "JSON Lines rows: text (and text_b), or pre-tokenized input_word_ids (input_mask,"
          + " input_type_ids)")
  Path input;

  @Option(names = "--output", paramLabel = "OUT.npz", required = true,
      description = "the .npz to write (atomically: a temp file renamed into place)")
  Path output;

  @Option(names = "--max-length", paramLabel = "N", defaultValue = "128",
      description = "longest text row in tokens, [CLS] and [SEP]s included; capped at the model's"
          + " max_position_embeddings; pre-tokenized rows are not cut (default: ${DEFAULT-VALUE})")
  int maxLength;

  @Option(names = "--truncation", paramLabel = "head|head_tail", defaultValue = "head",
      description = "which pieces of a text longer than --max-length - 2 are kept: head (the first ones) or head_tail"
          + " (--head-tokens from the start, the rest from the end); use what the model was trained with"
          + " (data.truncation) (default: ${DEFAULT-VALUE})")
  String truncation;

  @Option(names = "--head-tokens", paramLabel = "N", defaultValue = "0",
      description = "pieces kept from the start with --truncation head_tail (data.head_tokens)")
  int headTokens;

  @Option(names = "--email-text", paramLabel = "none|raw|plain", defaultValue = "none",
      description = "text rows hold whole email messages (headers, blank line, body): raw keeps the subject and the"
          + " body as the message has it, plain the subject and the body's readable text (MIME decoded, HTML to"
          + " text); use what the model was trained with (data.email_text); none uses text as given"
          + " (default: ${DEFAULT-VALUE})")
  String emailText;

  @Option(names = "--batch-size", paramLabel = "B", defaultValue = "32",
      description = "rows per forward pass (default: ${DEFAULT-VALUE})")
  int batchSize;

  @Option(names = "--no-dynamic-padding",
      description = "run every row at the full T and keep the outputs at padded positions (see Padding above)")
  boolean fixedPadding;

  @Option(names = "--labels-output", paramLabel = "FILE.jsonl|-",
      description = "also write the predicted label names, one JSON line per row (- for standard output):"
          + " classification {\"label\", \"id\", \"probability\"} (softmax); multi-label {\"labels\" (sigmoid >= 0.5),"
          + " \"probabilities\": {label: p}}; regression {\"value\"}; tagging {\"tokens\" (when the model has a"
          + " vocab.txt), \"labels\", \"probabilities\"}, one entry per real token ([CLS] and [SEP] included),"
          + " aligned with input_word_ids. Names come from the model's id2label, else LABEL_<id>. Only for"
          + " classification and tagging heads")
  String labelsOutput;

  /** --truncation and --head-tokens, checked before the model loads. */
  private Truncation cut() {
    return Truncation.parse(truncation, headTokens, maxLength, "--truncation", "--head-tokens", "--max-length");
  }

  /** --email-text as what it does to the rows' texts, checked before the model loads. */
  private java.util.function.UnaryOperator<List<String>> emailText() {
    if (emailText.equals("none")) return a -> a;
    org.jbert.datasets.EmailText.Mode mode;
    try {
      mode = org.jbert.datasets.EmailText.Mode.parse(emailText, "--email-text");
    } catch (JbertException e) {
      throw new JbertException("--email-text is " + emailText + "; expected none, raw or plain");
    }
    return a -> a.stream().map(t -> org.jbert.datasets.EmailText.of(mode, t)).toList();
  }

  @Override
  public void run() {
    if (maxLength < 3) throw new JbertException("--max-length " + maxLength + " is too small; expected at least 3");
    if (batchSize < 1) throw new JbertException("--batch-size " + batchSize + " must be at least 1");
    Truncation cut = cut();
    java.util.function.UnaryOperator<List<String>> messages = emailText();
    // Before the model loads (BERT-base takes seconds): a missing input is reported at once.
    if (!Files.isRegularFile(input)) throw new JbertException(input + ": input file not found");
    PrintWriter err = spec.commandLine().getErr();
    try (LoadedModel m = Models.openWithHead(model)) {
      for (String note : m.notes()) err.println("jbert predict: note: " + note);
      err.flush();
      if (labelsOutput != null && !m.hasLabels()) {
        throw new JbertException("--labels-output: " + model + " is a " + m.headName() + " model, which predicts no"
            + " labels; label names are written for classification and tagging models");
      }
      Tokenizing tok = new Tokenizing(m);
      InputRows rows = InputRows.read(input,
          (a, b) -> tok.preprocessor(maxLength, !fixedPadding, cut).encodePairs(messages.apply(a), b), "predict");
      rows.check(m.config());
      Features f = rows.features();
      Map<String, Npz.Array> outputs = RowBatches.gather(f, batchSize, !fixedPadding, m.perTokenOutputs(),
          b -> m.predict(b.inputWordIds(), b.inputMask(), b.inputTypeIds()));
      List<String> labelLines = null;
      if (labelsOutput != null) {
        TaskModel t = m.taskModel().orElseThrow();
        Npz.Array logits = outputs.get(HeadOutputs.LOGITS);
        Vocab v = tok.vocabIfAny();
        labelLines = Predictions.jsonLines(logits.floats(), logits.shape(), f.inputWordIds(), f.inputMask(),
            t.context().problemType(), t.labelNames(), v);
      }
      Map<String, Npz.Array> npz = new LinkedHashMap<>();
      npz.put("input_word_ids", Npz.Array.of(f.inputWordIds()));
      npz.put("input_mask", Npz.Array.of(f.inputMask()));
      npz.put("input_type_ids", Npz.Array.of(f.inputTypeIds()));
      npz.putAll(outputs);
      write(npz, labelLines);
      err.printf("wrote %s: %d rows, T=%d, %s: %s%s%n", output, f.batchSize(), f.seqLength(), m.kindDescription(),
          outputs.entrySet().stream().map(e -> e.getKey() + " " + Arrays.toString(e.getValue().shape()))
              .collect(Collectors.joining(", ")),
          labelLines == null || labelsOutput.equals("-") ? "" : "; labels in " + labelsOutput);
      err.flush();
    }
  }

  /** The .npz and the labels file, both or neither ({@link AtomicFiles#writeAll}); "-" prints the labels after. */
  private void write(Map<String, Npz.Array> npz, List<String> labelLines) {
    Map<Path, AtomicFiles.FileBody> files = new LinkedHashMap<>();
    files.put(output, AtomicFiles.stream(out -> Npz.write(out, npz)));
    boolean toFile = labelLines != null && !labelsOutput.equals("-");
    if (toFile) {
      byte[] bytes = labelLines.stream().map(l -> l + "\n").collect(Collectors.joining())
          .getBytes(StandardCharsets.UTF_8);
      files.put(Path.of(labelsOutput), AtomicFiles.stream(out -> out.write(bytes)));
    }
    AtomicFiles.writeAll(files);
    if (labelLines != null && !toFile) {
      PrintWriter out = spec.commandLine().getOut();
      labelLines.forEach(out::println);
      out.flush();
    }
  }

  /** The model's tokenizer, loaded on first use: pre-tokenized input without labels needs no vocabulary. */
  private static final class Tokenizing {
    private final LoadedModel model;
    private Vocab vocab;
    private boolean looked;

    Tokenizing(LoadedModel model) {
      this.model = model;
    }

    Vocab vocabIfAny() {
      if (!looked) {
        looked = true;
        vocab = model.vocab().map(Vocab::load).orElse(null);
        if (vocab != null && vocab.size() != model.config().vocabSize()) {
          throw new JbertException(vocab.source() + " has " + vocab.size() + " tokens but the model's vocab_size is "
              + model.config().vocabSize() + "; expected the model's own vocabulary");
        }
      }
      return vocab;
    }

    Preprocessor preprocessor(int maxLength, boolean dynamic, Truncation cut) {
      Vocab v = vocabIfAny();
      if (v == null) {
        throw new JbertException(model.description() + ": no vocab.txt or tokenizer.json beside the weights, so text"
            + " rows cannot be tokenized; give pre-tokenized rows (input_word_ids) or add the model's vocab.txt");
      }
      TokenizerConfig tc = TokenizerConfig.forFolder(model.vocab().orElseThrow().toAbsolutePath().getParent(), v);
      return new Preprocessor(tc.tokenizer(v), tc.cap(Math.min(maxLength, model.config().maxPositionEmbeddings())),
          dynamic, cut);
    }
  }
}
