package org.jbert.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jbert.cli.Main;
import org.jbert.examples.FineTuneThenPredictExample.Outcome;
import org.jbert.examples.FineTuneThenPredictExample.Settings;
import org.jbert.finetune.head.Predictions;
import org.jbert.testing.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example on a tiny pretrained BERT: the hf-tiny-bert {@code pretraining/} folder (HF transformers 5.17.0, random
 * weights, vocab 120; see src/test/resources/hf-tiny-bert/README.md) with a vocab.txt made here from the example's
 * words. At a high learning rate the toy set is learned perfectly, and the saved-and-loaded model predicts exactly
 * what the in-memory one did, through the Java API and through {@code jbert predict}.
 */
class FineTuneThenPredictExampleTest {
  /**
   * lr 5e-3 for 20 steps of all 12 texts: a toy set whose words tell the classes apart is fit completely (measured:
   * loss 0.694 -> 0.043, accuracy 1.0; at lr 1e-3 for 40 steps of 4 the loss only reached 0.65).
   */
  private static final Settings TOY = new Settings(20, 5e-3, 12, 32, 7);
  /** The loss must fall below this (it starts near ln 2 = 0.69 for two balanced classes). */
  private static final double FINAL_LOSS_BELOW = 0.1;

  @TempDir Path tmp;

  @Test
  void fineTunedModelIsLearnedSavedLoadedAndPredictsTheSame() throws Exception {
    Path model = tinyPretrainedModel();
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    Outcome o = FineTuneThenPredictExample.run(model.toString(), FineTuneThenPredictExample.TRAIN,
        FineTuneThenPredictExample.NEW_TEXTS, tmp.resolve("work"), TOY, new PrintStream(progress, true,
            StandardCharsets.UTF_8));
    List<Double> losses = o.training().losses();
    System.out.printf("fine-tune-then-predict (tiny): loss %.4f -> %.4f in %d steps, training accuracy %.2f%n",
        losses.get(0), o.training().lastLoss(), losses.size(), o.trainAccuracy());
    assertEquals(List.of("negative", "positive"), o.labels());
    assertEquals(TOY.steps(), losses.size());
    assertEquals(1.0, o.trainAccuracy(), "every training text classified right");
    assertTrue(o.training().lastLoss() < FINAL_LOSS_BELOW, "final loss " + o.training().lastLoss());

    assertEquals(FineTuneThenPredictExample.NEW_TEXTS.size(), o.loaded().size());
    for (int i = 0; i < o.loaded().size(); i++) {
      Predictions.Label a = o.inMemory().get(i), b = o.loaded().get(i);
      assertEquals(a.name(), b.name(), "text " + i);
      assertEquals(a.probability(), b.probability(), 1e-6, "text " + i);
      assertTrue(b.probability() >= 0.5 && b.probability() <= 1, "argmax of two classes: p in [0.5, 1]");
    }

    // The saved folder through the CLI: same labels and probabilities.
    Path in = tmp.resolve("new.jsonl");
    ObjectMapper json = new ObjectMapper();
    List<String> lines = new ArrayList<>();
    for (String t : FineTuneThenPredictExample.NEW_TEXTS) lines.add(json.createObjectNode().put("text", t).toString());
    Files.write(in, lines);
    Path labels = tmp.resolve("labels.jsonl");
    int code = Main.execute("predict", "--model", o.modelDir().toString(), "--input", in.toString(), "--output",
        tmp.resolve("new.npz").toString(), "--labels-output", labels.toString());
    assertEquals(0, code);
    List<String> got = Files.readAllLines(labels);
    assertEquals(o.loaded().size(), got.size());
    for (int i = 0; i < got.size(); i++) {
      JsonNode l = json.readTree(got.get(i));
      assertEquals(o.loaded().get(i).name(), l.get("label").asText(), "text " + i);
      assertEquals(o.loaded().get(i).probability(), l.get("probability").asDouble(), 1e-6, "text " + i);
    }
  }

  /** The tiny pretraining folder plus a 120-token vocab.txt holding the example's words. */
  private Path tinyPretrainedModel() throws Exception {
    Path src = TestResources.path("hf-tiny-bert/pretraining");
    Path dir = tmp.resolve("tiny");
    Files.createDirectories(dir);
    for (String f : List.of("config.json", "model.safetensors")) Files.copy(src.resolve(f), dir.resolve(f));
    Set<String> words = new TreeSet<>();
    List<String> texts = new ArrayList<>(FineTuneThenPredictExample.NEW_TEXTS);
    FineTuneThenPredictExample.TRAIN.forEach(t -> texts.add(t.text()));
    for (String t : texts) {
      for (String w : t.split("\\s+|(?=,)")) words.add(w.strip());
    }
    words.remove("");
    List<String> vocab = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
    vocab.addAll(words);
    for (int i = 0; vocab.size() < 120; i++) vocab.add("filler" + i);
    assertEquals(120, vocab.size(), "the fixture's vocab_size");
    Files.write(dir.resolve("vocab.txt"), vocab);
    return dir;
  }
}
