package org.jbert.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jbert.core.JbertException;
import org.jbert.core.io.AtomicFiles;
import org.jbert.core.io.Npz;
import org.jbert.core.model.Bert;
import org.jbert.core.model.RowBatches;
import org.jbert.core.tokenize.BertTokenizer;
import org.jbert.core.tokenize.Features;
import org.jbert.core.tokenize.Preprocessor;
import org.jbert.core.tokenize.Vocab;
import org.jbert.finetune.Predictions;
import org.jbert.finetune.TaskModel;
import org.jbert.finetune.head.HeadOutputs;
import org.jbert.finetune.head.ProblemType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jbert predict}: a saved or imported model with its head (classification, tagging, QA or the pretraining
 * heads) over JSON Lines rows, the head's outputs as NumPy {@code .npz}, and the predicted label names when the model
 * has a label map. See {@link PredictModel} for which head a folder loads with.
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
          + " \"input_mask\": [...], \"input_type_ids\": [...]} (mask default all 1, types all 0; used as given,"
          + " all of one length, at most the model's max_position_embeddings).",
      "%nPadding: each batch runs only to its longest real row (rows are batched by length), then outputs are padded"
          + " back to one T for the npz: T is the longest text row (at most --max-length) or the pre-tokenized"
          + " length, and per-token outputs hold 0 at every padded position (input_mask 0). Outputs on real tokens"
          + " do not depend on the padding. --no-dynamic-padding runs every row at the full T (text padded to"
          + " --max-length) and keeps what the model computes at padded positions, as Hugging Face returns them.",
      "%nMemory: prediction_logits holds N x T x V floats (V = 30522 for BERT-base: 15 MB per row at T = 128); split"
          + " large inputs into several files."
    })
public final class PredictCommand implements Runnable {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Multi-label classes at or above this sigmoid probability are predicted (HF's pipeline threshold). */
  static final double MULTI_LABEL_THRESHOLD = 0.5;

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

  @Override
  public void run() {
    if (maxLength < 3) throw new JbertException("--max-length " + maxLength + " is too small; expected at least 3");
    if (batchSize < 1) throw new JbertException("--batch-size " + batchSize + " must be at least 1");
    // Before the model loads (BERT-base takes seconds): a missing input is reported at once.
    if (!Files.isRegularFile(input)) throw new JbertException(input + ": input file not found");
    PrintWriter err = spec.commandLine().getErr();
    try (PredictModel m = PredictModel.open(model)) {
      for (String note : m.notes()) err.println("jbert predict: note: " + note);
      err.flush();
      if (labelsOutput != null && !m.hasLabels()) {
        throw new JbertException("--labels-output: " + model + " is a " + m.headName() + " model, which predicts no"
            + " labels; label names are written for classification and tagging models");
      }
      Tokenizing tok = new Tokenizing(m);
      InputRows rows = InputRows.read(input, (a, b) -> tok.preprocessor(maxLength, !fixedPadding).encodePairs(a, b),
          "predict");
      rows.check(m.config());
      Features f = rows.features();
      Map<String, Npz.Array> outputs = RowBatches.gather(f, batchSize, !fixedPadding, m.perTokenOutputs(),
          b -> m.predict(b.inputWordIds(), b.inputMask(), b.inputTypeIds()));
      List<String> labelLines = labelsOutput == null ? null
          : labelLines(m.taskModel().orElseThrow(), f, outputs, tok.vocabIfAny());
      Map<String, Npz.Array> npz = new LinkedHashMap<>();
      npz.put("input_word_ids", Npz.Array.of(f.inputWordIds()));
      npz.put("input_mask", Npz.Array.of(f.inputMask()));
      npz.put("input_type_ids", Npz.Array.of(f.inputTypeIds()));
      npz.putAll(outputs);
      Npz.write(output, npz);
      if (labelLines != null) writeLines(labelLines);
      err.printf("wrote %s: %d rows, T=%d, %s: %s%s%n", output, f.batchSize(), f.seqLength(), m.kind(),
          outputs.entrySet().stream().map(e -> e.getKey() + " " + Arrays.toString(e.getValue().shape()))
              .collect(Collectors.joining(", ")),
          labelLines == null || labelsOutput.equals("-") ? "" : "; labels in " + labelsOutput);
      err.flush();
    }
  }

  private void writeLines(List<String> lines) {
    if (labelsOutput.equals("-")) {
      PrintWriter out = spec.commandLine().getOut();
      lines.forEach(out::println);
      out.flush();
      return;
    }
    byte[] bytes = lines.stream().map(l -> l + "\n").collect(Collectors.joining())
        .getBytes(StandardCharsets.UTF_8);
    AtomicFiles.write(Path.of(labelsOutput), out -> out.write(bytes));
  }

  /** One JSON line per row with the predicted labels; see the --labels-output help. */
  static List<String> labelLines(TaskModel m, Features f, Map<String, Npz.Array> outputs, Vocab vocab) {
    Npz.Array logits = outputs.get(HeadOutputs.LOGITS);
    long[] s = logits.shape();
    int n = (int) s[0];
    List<String> names = m.labelNames();
    List<String> lines = new ArrayList<>(n);
    if (s.length == 3) {
      int t = (int) s[1], c = (int) s[2];
      List<List<Predictions.Label>> tags = Predictions.tag(logits.floats(), n, t, c, f.inputMask(), names);
      for (int r = 0; r < n; r++) {
        ObjectNode o = JSON.createObjectNode();
        if (vocab != null) {
          ArrayNode tokens = o.putArray("tokens");
          for (int i = 0; i < t; i++) {
            if (f.inputMask()[r][i] != 0) tokens.add(vocab.token(f.inputWordIds()[r][i]));
          }
        }
        ArrayNode ls = o.putArray("labels");
        ArrayNode ps = o.putArray("probabilities");
        for (Predictions.Label l : tags.get(r)) {
          ls.add(l.name());
          ps.add(l.probability());
        }
        lines.add(o.toString());
      }
      return lines;
    }
    if (s.length != 2) {
      throw new JbertException("logits have shape " + Arrays.toString(s) + "; expected [N,C] or [N,T,C] for labels");
    }
    int c = (int) s[1];
    ProblemType problem = m.context().problemType();
    if (problem == ProblemType.REGRESSION) {
      for (int r = 0; r < n; r++) lines.add(JSON.createObjectNode().put("value", logits.floats()[r * c]).toString());
    } else if (problem == ProblemType.MULTI_LABEL_CLASSIFICATION) {
      for (List<Predictions.Label> row : Predictions.multiLabel(logits.floats(), n, c, names)) {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode on = o.putArray("labels");
        ObjectNode ps = o.putObject("probabilities");
        for (Predictions.Label l : row) {
          if (l.probability() >= MULTI_LABEL_THRESHOLD) on.add(l.name());
          ps.put(l.name(), l.probability());
        }
        lines.add(o.toString());
      }
    } else {
      for (Predictions.Label l : Predictions.classify(logits.floats(), n, c, names)) {
        lines.add(JSON.createObjectNode().put("label", l.name()).put("id", l.id()).put("probability",
            l.probability()).toString());
      }
    }
    return lines;
  }

  /** The model's tokenizer, loaded on first use: pre-tokenized input without labels needs no vocabulary. */
  private static final class Tokenizing {
    private final PredictModel model;
    private Vocab vocab;
    private boolean looked;

    Tokenizing(PredictModel model) {
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

    Preprocessor preprocessor(int maxLength, boolean dynamic) {
      Vocab v = vocabIfAny();
      if (v == null) {
        throw new JbertException(model.description() + ": no vocab.txt beside the weights, so text rows cannot be"
            + " tokenized; give pre-tokenized rows (input_word_ids) or add the model's vocab.txt");
      }
      BertTokenizer t = new BertTokenizer(v, Bert.lowerCase(model.folder(), v));
      return new Preprocessor(t, Math.min(maxLength, model.config().maxPositionEmbeddings()), dynamic);
    }
  }
}
