package org.jbert.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import org.jbert.core.JbertException;
import org.jbert.core.model.PretrainedModels;
import org.jbert.pretraining.FillMask;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jbert fill-mask}: the most probable tokens for each {@code [MASK]} of each text, under a model's MLM head
 * ({@link FillMask}).
 */
@Command(
    name = "fill-mask",
    mixinStandardHelpOptions = true,
    description = {
      "Predicts the words hidden behind [MASK] tokens with BERT's masked-LM head.",
      "For each TEXT and each [MASK] in it, prints the --top-k most probable vocabulary tokens with their"
          + " probabilities (softmax over the whole vocabulary). A TEXT without [MASK], or longer than the model's"
          + " max positions (512 word pieces with [CLS] and [SEP]), is an error: texts are not truncated."
    })
public final class FillMaskCommand implements Runnable {
  private static final ObjectMapper JSON = new ObjectMapper();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", paramLabel = "DIR|NAME",
      description = "a TF SavedModel, Hugging Face/jbert or Google checkpoint folder, or a pretrained name:"
          + " bert-base-uncased, bert-base-cased (default: ${DEFAULT-VALUE})")
  String model = PretrainedModels.DEFAULT;

  @Option(names = "--top-k", paramLabel = "K", description = "candidates per mask (default: ${DEFAULT-VALUE})")
  int topK = 5;

  @Option(names = "--json", description = "one JSON line per text instead of the table:"
      + " {\"text\", \"masks\": [{\"position\", \"candidates\": [{\"token\", \"id\", \"probability\"}]}]}")
  boolean json;

  @Option(names = "--fresh-head", description = "allow a model without an MLM head (an encoder-only folder): answer"
      + " from a freshly initialised head, whose tokens are noise (without it such a model is refused)")
  boolean freshHead;

  @Parameters(arity = "1..*", paramLabel = "TEXT", description = "texts with [MASK] tokens (quote each one)")
  List<String> texts;

  @Override
  public void run() {
    if (topK < 1) throw new JbertException("--top-k " + topK + " is too small; expected at least 1");
    List<List<FillMask.MaskPrediction>> results;
    try (FillMask fill = FillMask.open(model, freshHead)) {
      results = fill.fill(texts, topK);
    }
    PrintWriter out = spec.commandLine().getOut();
    for (int i = 0; i < texts.size(); i++) {
      if (json) {
        out.println(toJson(texts.get(i), results.get(i)));
      } else {
        out.print(format(texts.get(i), results.get(i)));
      }
    }
    out.flush();
  }

  /** The table printed for one text: the text, then per mask its candidates, one per line. */
  static String format(String text, List<FillMask.MaskPrediction> masks) {
    StringBuilder b = new StringBuilder(text).append('\n');
    for (int m = 0; m < masks.size(); m++) {
      FillMask.MaskPrediction p = masks.get(m);
      b.append(String.format(Locale.ROOT, "  [MASK] %d of %d (token %d):%n", m + 1, masks.size(), p.position()));
      int rank = 1;
      for (FillMask.Candidate c : p.candidates()) {
        b.append(String.format(Locale.ROOT, "    %2d. %-16s %.4f%n", rank++, c.token(), c.probability()));
      }
    }
    return b.toString();
  }

  static String toJson(String text, List<FillMask.MaskPrediction> masks) {
    ObjectNode n = JSON.createObjectNode();
    n.put("text", text);
    ArrayNode ms = n.putArray("masks");
    for (FillMask.MaskPrediction p : masks) {
      ObjectNode m = ms.addObject();
      m.put("position", p.position());
      ArrayNode cs = m.putArray("candidates");
      for (FillMask.Candidate c : p.candidates()) {
        cs.addObject().put("token", c.token()).put("id", c.id()).put("probability", c.probability());
      }
    }
    return n.toString();
  }
}
