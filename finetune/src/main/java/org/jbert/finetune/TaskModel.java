package org.jbert.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.jbert.core.JbertException;
import org.jbert.core.io.JsonFiles;
import org.jbert.core.config.BertConfig;
import org.jbert.core.graph.BertGraph;
import org.jbert.core.graph.DropoutSeeds;
import org.jbert.core.train.GraphTrainable;
import org.jbert.core.graph.EncoderOutputs;
import org.jbert.core.model.BertModel;
import org.jbert.core.train.Trainable;
import org.jbert.core.weights.CheckpointNames;
import org.jbert.core.weights.HuggingFaceSource;
import org.jbert.core.weights.HuggingFaceWriter;
import org.jbert.core.weights.ImportReport;
import org.jbert.core.weights.WeightImporter;
import org.jbert.core.weights.WeightSource;
import org.jbert.finetune.head.HeadContext;
import org.jbert.finetune.head.HeadOutputs;
import org.jbert.finetune.head.Labels;
import org.jbert.finetune.head.ProblemType;
import org.jbert.finetune.head.QuestionAnsweringHead;
import org.jbert.finetune.head.TaskHead;
import org.jbert.finetune.head.TaskHeads;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A BERT encoder and a {@link TaskHead} in one SameDiff, ready to predict, to compute loss and gradients for a
 * trainer, and to save.
 *
 * <p>Sources: fresh weights ({@link #random}), a pretrained encoder with a fresh head ({@link #fromPretrained}), a
 * Hugging Face task folder ({@link #fromHuggingFace}: {@code BertForSequenceClassification},
 * {@code BertForTokenClassification}, {@code BertForQuestionAnswering}, chosen by {@code architectures} or, without
 * it, by the weights the folder holds: {@link #huggingFaceHead}), or a jbert folder ({@link #load}).
 *
 * <p>Saved format ({@link #save}): the {@link BertModel} folder layout (a Hugging Face folder: config.json with
 * {@code architectures}, {@code id2label}/{@code label2id} and {@code problem_type} as transformers writes them,
 * model.safetensors with HF names, vocab.txt) plus {@code jbert.json} holding the format version and a {@code head}
 * object: {@code type}, {@code num_labels}, {@code problem_type}, {@code dropout}, {@code id2label},
 * {@code options}. A folder with a built-in head loads in transformers as the matching {@code BertFor...} class.
 *
 * <p>Output contract ({@link #predict}): {@code logits} ([B,C] classification, [B,T,C] tagging) or
 * {@code start_logits} and {@code end_logits} [B,T] (QA).
 */
public final class TaskModel implements Trainable<Batch>, AutoCloseable {
  /** The key of the head metadata in jbert.json. */
  public static final String HEAD_KEY = "head";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final BertConfig config;
  private final TaskHead head;
  private final HeadContext ctx;
  private final SameDiff sd;
  private final EncoderOutputs enc;
  private final HeadOutputs out;
  private final Labels labels;
  private final SDVariable loss;
  private final DropoutSeeds dropoutSeeds;
  private final GraphTrainable<Batch> trainable;
  private Path vocab;
  private ImportReport importReport;
  private boolean closed;

  private TaskModel(TaskHead head, HeadContext ctx) {
    this.config = ctx.config();
    this.head = head;
    this.ctx = ctx;
    this.sd = SameDiff.create();
    this.enc = BertGraph.build(sd, config, ctx.dtype(), head.usesPooler());
    this.out = head.build(sd, enc, ctx);
    this.labels = Labels.declare(sd, head.labels(ctx));
    this.loss = head.loss(sd, out, labels).rename("loss");
    sd.setLossVariables(loss);
    this.dropoutSeeds = DropoutSeeds.attach(sd);
    this.trainable = new GraphTrainable<>(sd, loss.name(), this::placeholders, this::closeInputs, dropoutSeeds);
    List<String> undeclared = new ArrayList<>(trainableVariables());
    for (CheckpointNames e : tableEntries()) undeclared.remove(e.canonical());
    if (!undeclared.isEmpty()) {
      throw new JbertException("head '" + head.type() + "' creates variables it does not declare in weights(): "
          + undeclared);
    }
  }

  /** Encoder and head with fresh weights (google-research/bert's initializers; see {@link BertModel#random}). */
  public static TaskModel random(TaskHead head, HeadContext ctx, long seed) {
    TaskModel m = new TaskModel(head, ctx);
    BertModel.initialize(m.sd, m.tableEntries(), ctx.config().initializerRange(), seed);
    return m;
  }

  /**
   * A pretrained encoder (every encoder variable must be in {@code source}, with the right shape) with the head's
   * weights taken from the source when it has them and fresh otherwise. Tensors of other heads (MLM, NSP) are
   * ignored; {@link #importReport()} lists them.
   */
  public static TaskModel fromPretrained(WeightSource source, TaskHead head, HeadContext ctx, long seed) {
    TaskModel m = new TaskModel(head, ctx);
    try {
      ImportReport r = WeightImporter.load(m.sd, source, false);
      List<String> headNames = head.weights(ctx).stream().map(CheckpointNames::canonical).toList();
      List<String> missingEncoder = r.missing().stream().filter(n -> !headNames.contains(n)).toList();
      if (!missingEncoder.isEmpty() || !r.shapeMismatches().isEmpty()) {
        throw new JbertException(source.description() + ": encoder weights do not match: missing " + missingEncoder
            + ", shape mismatches " + r.shapeMismatches());
      }
      List<CheckpointNames> fresh = head.weights(ctx).stream().filter(e -> r.missing().contains(e.canonical()))
          .toList();
      BertModel.initialize(m.sd, fresh, ctx.config().initializerRange(), seed);
      m.importReport = r;
      m.vocab = source.vocab().orElse(null);
      return m;
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
  }

  /** A Hugging Face task folder with its head, as {@link #huggingFaceHead} finds it; see the class doc. */
  public static TaskModel fromHuggingFace(Path dir) {
    return fromHuggingFace(dir, OptionalInt.empty(), UnaryOperator.identity());
  }

  /**
   * As {@link #fromHuggingFace(Path)}, with the head context the folder describes passed through {@code adjust}
   * before the graph is built: a fine-tuning run sets its dropout and label names there, and may reject the stored
   * head (a JbertException from {@code adjust} propagates). The adjusted context must keep the stored number of
   * labels and problem type, which the weights' shapes fix.
   */
  public static TaskModel fromHuggingFace(Path dir, UnaryOperator<HeadContext> adjust) {
    return fromHuggingFace(dir, OptionalInt.empty(), adjust);
  }

  /**
   * As {@link #fromHuggingFace(Path)}, insisting on {@code numLabels} classes: a head stored with another number
   * fails with a JbertException naming both.
   */
  public static TaskModel fromHuggingFace(Path dir, int numLabels) {
    return fromHuggingFace(dir, OptionalInt.of(numLabels), UnaryOperator.identity());
  }

  private static TaskModel fromHuggingFace(Path dir, OptionalInt requested, UnaryOperator<HeadContext> adjust) {
    Path cfgFile = dir.resolve(HuggingFaceSource.CONFIG_FILE);
    BertConfig config = BertConfig.fromFolder(dir);
    JsonNode cfg = JsonFiles.readObject(cfgFile);
    TaskHead head = huggingFaceHead(dir).orElseThrow(() -> noHead(cfgFile, cfg));
    List<String> names = id2label(cfgFile, cfg.get("id2label"));
    int configLabels = cfg.hasNonNull("num_labels") ? cfg.get("num_labels").asInt()
        : !names.isEmpty() ? names.size() : 2;
    HeadContext probe = HeadContext.of(config, Math.max(configLabels, 2));
    try (HuggingFaceSource src = HuggingFaceSource.open(dir, head.weights(probe))) {
      CheckpointNames first = head.weights(probe).get(0);
      int stored = src.names().contains(first.canonical()) ? (int) src.shape(first.canonical())[0] : configLabels;
      if (stored != configLabels) {
        throw new JbertException(cfgFile + ": id2label/num_labels give " + configLabels + " labels but "
            + first.hf() + " has " + stored + " rows; expected them to agree");
      }
      if (requested.isPresent() && requested.getAsInt() != stored) {
        throw new JbertException(dir + ": the imported " + head.huggingFaceArchitecture().orElse(head.type())
            + " head has num_labels " + stored + " but num_labels " + requested.getAsInt() + " was asked for; use "
            + stored + ", or start a fresh head on this encoder with TaskModel.fromPretrained");
      }
      ProblemType problem = cfg.hasNonNull("problem_type")
          ? ProblemType.fromHfName(cfg.get("problem_type").asText(), cfgFile + " key problem_type")
          : ProblemType.defaultFor(stored);
      double dropout = cfg.hasNonNull("classifier_dropout") ? cfg.get("classifier_dropout").asDouble()
          : config.hiddenDropoutProb();
      HeadContext ctx = new HeadContext(config, DataType.FLOAT, stored, problem, dropout,
          names.size() == stored ? names : List.of(), Map.of());
      return strict(head, adjusted(ctx, adjust), src);
    }
  }

  /** Builds and loads every variable from {@code src}, failing on anything missing, extra or mis-shaped. */
  private static TaskModel strict(TaskHead head, HeadContext ctx, HuggingFaceSource src) {
    TaskModel m = new TaskModel(head, ctx);
    try {
      m.importReport = WeightImporter.load(m.sd, src, true);
      List<String> stray = m.importReport.unexpected();
      if (!stray.isEmpty()) {
        throw new JbertException(src.description() + ": tensors " + stray + " belong to no part of a "
            + head.type() + " model");
      }
      m.vocab = src.vocab().orElse(null);
      return m;
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
  }

  /** Loads a folder written by {@link #save}; custom heads are found in {@link TaskHeads} by their type. */
  public static TaskModel load(Path dir) {
    return load(dir, UnaryOperator.identity());
  }

  /**
   * As {@link #load(Path)}, with the stored head context passed through {@code adjust} before the graph is built
   * (see {@link #fromHuggingFace(Path, UnaryOperator)}).
   */
  public static TaskModel load(Path dir, UnaryOperator<HeadContext> adjust) {
    if (!Files.isDirectory(dir)) throw new JbertException(dir + ": model folder not found");
    Path marker = dir.resolve(BertModel.JBERT_FILE);
    if (!Files.isRegularFile(marker)) {
      throw new JbertException(dir + ": no " + BertModel.JBERT_FILE + " in this folder (not a jbert model folder; "
          + "use fromHuggingFace for a Hugging Face folder)");
    }
    JsonNode m = JsonFiles.readObject(marker);
    int version = m.path("format_version").asInt(-1);
    if (version != BertModel.FORMAT_VERSION) {
      throw new JbertException(marker + ": format_version " + version + " is not supported; expected "
          + BertModel.FORMAT_VERSION);
    }
    JsonNode h = m.get(HEAD_KEY);
    if (h == null || !h.isObject()) {
      throw new JbertException(marker + ": no '" + HEAD_KEY + "' object (an encoder without a task head; load it "
          + "with BertModel.load)");
    }
    TaskHead head = TaskHeads.get(text(marker, h, "type"));
    BertConfig config = BertConfig.fromFolder(dir);
    if (!h.path("num_labels").canConvertToInt()) {
      throw new JbertException(marker + ": key head.num_labels is " + h.get("num_labels") + "; expected an integer");
    }
    int n = h.get("num_labels").asInt();
    Map<String, String> options = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = h.path("options").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      options.put(e.getKey(), e.getValue().asText());
    }
    HeadContext ctx = new HeadContext(config, DataType.FLOAT, n,
        ProblemType.fromHfName(text(marker, h, "problem_type"), marker + " key head.problem_type"),
        h.path("dropout").asDouble(config.hiddenDropoutProb()), id2label(marker, h.get("id2label")), options);
    try (HuggingFaceSource src = HuggingFaceSource.open(dir, head.weights(ctx))) {
      return strict(head, adjusted(ctx, adjust), src);
    }
  }

  private static HeadContext adjusted(HeadContext stored, UnaryOperator<HeadContext> adjust) {
    HeadContext a = adjust.apply(stored);
    if (a.numLabels() != stored.numLabels() || a.problemType() != stored.problemType()
        || !a.config().equals(stored.config())) {
      throw new IllegalArgumentException("a head context adjustment changed num_labels, problem_type or the config"
          + " (the stored weights fix them): " + stored + " -> " + a);
    }
    return a;
  }

  /**
   * The head stored in a model folder without loading it: a jbert folder's {@code head.type} (jbert.json), else
   * the head that a Hugging Face config.json's {@code architectures} names; empty for an encoder-only folder (a
   * pretrained encoder, a BertModel folder, a Google checkpoint or SavedModel).
   */
  public static Optional<TaskHead> storedHead(Path dir) {
    Path marker = dir.resolve(BertModel.JBERT_FILE);
    if (Files.isRegularFile(marker)) {
      JsonNode h = JsonFiles.readObject(marker).get(HEAD_KEY);
      if (h != null && h.isObject()) return Optional.of(TaskHeads.get(text(marker, h, "type")));
      return Optional.empty();
    }
    Path cfgFile = dir.resolve(HuggingFaceSource.CONFIG_FILE);
    if (!Files.isRegularFile(cfgFile)) return Optional.empty();
    JsonNode arch = JsonFiles.readObject(cfgFile).get("architectures");
    if (arch == null || !arch.isArray()) return Optional.empty();
    for (JsonNode a : arch) {
      Optional<TaskHead> h = TaskHeads.forHuggingFaceArchitecture(a.asText());
      if (h.isPresent()) return h;
    }
    return Optional.empty();
  }

  /** True when {@code dir} is a jbert folder (jbert.json), which {@link #load} reads; else a Hugging Face one. */
  public static boolean isJbertFolder(Path dir) {
    return Files.isRegularFile(dir.resolve(BertModel.JBERT_FILE));
  }

  /** Saves encoder, head and label map as a jbert folder (see the class doc), atomically replacing {@code dir}. */
  public void save(Path dir) {
    ObjectNode marker = JSON.createObjectNode();
    marker.put("format", "jbert");
    marker.put("format_version", BertModel.FORMAT_VERSION);
    marker.put("hidden_act", config.hiddenAct().name());
    ObjectNode h = marker.putObject(HEAD_KEY);
    h.put("type", head.type());
    h.put("num_labels", ctx.numLabels());
    h.put("problem_type", ctx.problemType().hfName());
    h.put("dropout", ctx.dropoutRate());
    if (!ctx.labelNames().isEmpty()) h.set("id2label", id2labelJson(ctx.labelNames()));
    ObjectNode opts = h.putObject("options");
    ctx.options().forEach(opts::put);
    write(dir, Map.of(BertModel.JBERT_FILE, marker));
  }

  /**
   * Exports as a Hugging Face folder (config.json, model.safetensors, vocab.txt when known). With a built-in head it
   * loads in transformers as the matching {@code BertFor...} class; a custom head's tensors are written under the
   * names its table entries give, and {@code architectures} says {@code BertModel}.
   */
  public void exportHuggingFace(Path dir) {
    write(dir, Map.of());
  }

  private void write(Path dir, Map<String, ObjectNode> extra) {
    checkOpen();
    Map<String, float[]> weights = new LinkedHashMap<>();
    for (CheckpointNames e : tableEntries()) {
      if (sd.hasVariable(e.canonical())) {
        // dup first: castTo returns the variable's own array when it already is float32.
        try (INDArray copy = sd.getVariable(e.canonical()).getArr().dup('c')) {
          weights.put(e.canonical(), copy.data().asFloat());
        }
      }
    }
    ObjectNode cfg = JSON.createObjectNode();
    cfg.putArray("architectures").add(head.huggingFaceArchitecture().orElse(BARE_ENCODER));
    List<String> names = ctx.labelNames().isEmpty() && !head.type().equals(QuestionAnsweringHead.TYPE)
        ? defaultLabelNames(ctx.numLabels()) : ctx.labelNames();
    if (!names.isEmpty()) {
      cfg.set("id2label", id2labelJson(names));
      ObjectNode l2i = cfg.putObject("label2id");
      for (int i = 0; i < names.size(); i++) l2i.put(names.get(i), i);
    }
    if (head.usesPooler()) cfg.put("problem_type", ctx.problemType().hfName());
    cfg.put("classifier_dropout", ctx.dropoutRate());
    HuggingFaceWriter.write(dir, config, head.weights(ctx), weights, Optional.ofNullable(vocab), cfg, extra);
  }

  private static List<String> defaultLabelNames(int n) {
    List<String> l = new ArrayList<>();
    for (int i = 0; i < n; i++) l.add("LABEL_" + i);
    return l;
  }

  private static ObjectNode id2labelJson(List<String> names) {
    ObjectNode o = JSON.createObjectNode();
    for (int i = 0; i < names.size(); i++) o.put(Integer.toString(i), names.get(i));
    return o;
  }

  /**
   * Runs the model in inference mode (dropout off) and returns the head's outputs by contract name
   * ({@code logits}, or {@code start_logits} and {@code end_logits}). The caller closes the arrays.
   */
  public Map<String, INDArray> predict(int[][] inputWordIds, int[][] inputMask, int[][] inputTypeIds) {
    return output(Batch.inputs(inputWordIds, inputMask, inputTypeIds), false,
        out.outputs().keySet().toArray(new String[0]));
  }

  /**
   * Any variables of the graph ({@code sequence_output}, {@code logits}, {@code loss}, ...) for {@code batch}, with
   * dropout on when {@code training}. Label placeholders are fed when the batch has them (needed for {@code loss}).
   */
  public Map<String, INDArray> output(Batch batch, boolean training, String... names) {
    checkOpen();
    Map<String, INDArray> ph = placeholders(batch);
    try {
      BertGraph.setTraining(sd, training);
      if (training) dropoutSeeds.beginRun();
      return sd.output(ph, names);
    } finally {
      BertGraph.setTraining(sd, false);
      closeInputs(ph);
    }
  }

  /** The loss of {@code batch} in inference mode (dropout off). */
  public double loss(Batch batch) {
    requireLabels(batch);
    Map<String, INDArray> r = output(batch, false, loss.name());
    double v = r.get(loss.name()).getDouble(0);
    r.values().forEach(INDArray::close);
    return v;
  }

  /**
   * The loss of {@code batch} and its gradient for every trainable variable (canonical names, Google layout), from
   * one forward and backward pass in training mode (dropout on, masks seeded by {@link DropoutSeeds} from
   * {@code Nd4j.getRandom().getSeed()}). This is what the {@link org.jbert.core.train.Trainer} calls each
   * micro-batch. The caller may close the gradient arrays.
   */
  @Override
  public LossAndGradients lossAndGradients(Batch batch) {
    checkOpen();
    requireLabels(batch);
    return trainable.lossAndGradients(batch);
  }

  /** Fixes the dropout masks of the next {@link #lossAndGradients} call (the trainer calls it per micro-batch). */
  @Override
  public void seedRandom(long seed) {
    trainable.seedRandom(seed);
  }

  private void requireLabels(Batch batch) {
    for (String n : labels.placeholders().keySet()) {
      if (!batch.labels().containsKey(n)) {
        throw new JbertException("batch has no '" + n + "' labels; the " + head.type() + " head needs "
            + labels.placeholders().keySet());
      }
    }
  }

  private Map<String, INDArray> placeholders(Batch batch) {
    BertModel.checkInputs(config, batch.inputWordIds(), batch.inputMask(), batch.inputTypeIds());
    int b = batch.size();
    Map<String, INDArray> ph = new HashMap<>();
    ph.put(BertGraph.INPUT_WORD_IDS, Nd4j.createFromArray(batch.inputWordIds()));
    ph.put(BertGraph.INPUT_MASK, Nd4j.createFromArray(batch.inputMask()));
    ph.put(BertGraph.INPUT_TYPE_IDS, Nd4j.createFromArray(batch.inputTypeIds()));
    for (Map.Entry<String, INDArray> e : batch.labels().entrySet()) {
      SDVariable p = labels.placeholders().get(e.getKey());
      if (p == null) {
        throw new JbertException("batch has labels '" + e.getKey() + "' but the " + head.type() + " head takes "
            + labels.placeholders().keySet());
      }
      INDArray a = e.getValue();
      long[] want = p.placeholderShape();
      if (a.rank() != want.length || a.size(0) != b) {
        throw new JbertException("labels '" + e.getKey() + "' have shape " + Arrays.toString(a.shape())
            + "; expected " + Arrays.toString(want).replace("-1", "?") + " with B = " + b);
      }
      if (a.rank() == 2 && want.length == 2 && want[1] < 0 && a.size(1) != batch.inputWordIds()[0].length) {
        throw new JbertException("labels '" + e.getKey() + "' have shape " + Arrays.toString(a.shape())
            + "; expected [B,T] = [" + b + ", " + batch.inputWordIds()[0].length + "]");
      }
      if (want.length == 2 && want[1] > 0 && a.size(1) != want[1]) {
        throw new JbertException("labels '" + e.getKey() + "' have shape " + Arrays.toString(a.shape())
            + "; expected [" + b + ", " + want[1] + "]");
      }
      head.checkLabels(e.getKey(), a, ctx);
      ph.put(e.getKey(), a.dataType() == p.dataType() ? a : a.castTo(p.dataType()));
    }
    return ph;
  }

  private void closeInputs(Map<String, INDArray> ph) {
    for (String n : List.of(BertGraph.INPUT_WORD_IDS, BertGraph.INPUT_MASK, BertGraph.INPUT_TYPE_IDS)) {
      ph.get(n).close();
    }
  }

  /**
   * The trainable variables (encoder and head) by canonical name: the live arrays the graph computes with, which an
   * optimizer updates in place. The same map on every call.
   */
  @Override
  public Map<String, INDArray> parameters() {
    checkOpen();
    return trainable.parameters();
  }

  /** Names of every trainable variable (encoder and head), in graph order. */
  public List<String> trainableVariables() {
    List<String> l = new ArrayList<>();
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE) l.add(v.name());
    }
    return l;
  }

  /** The table entries of this model's variables: encoder (with the pooler when the head uses it) and head. */
  public List<CheckpointNames> tableEntries() {
    List<CheckpointNames> l = new ArrayList<>(head.usesPooler()
        ? CheckpointNames.forConfig(config, CheckpointNames.Part.ENCODER, CheckpointNames.Part.POOLER)
        : CheckpointNames.forConfig(config, CheckpointNames.Part.ENCODER));
    l.addAll(head.weights(ctx));
    return l;
  }

  public BertConfig config() {
    return config;
  }

  public TaskHead head() {
    return head;
  }

  public HeadContext context() {
    return ctx;
  }

  /** The graph holding encoder, head and loss. */
  public SameDiff sameDiff() {
    return sd;
  }

  public EncoderOutputs encoderOutputs() {
    return enc;
  }

  public HeadOutputs headOutputs() {
    return out;
  }

  public Labels labels() {
    return labels;
  }

  /** The scalar loss variable, named {@code loss}; also the SameDiff's loss variable. */
  public SDVariable lossVariable() {
    return loss;
  }

  /** The class names (HF id2label), or empty. */
  public List<String> labelNames() {
    return ctx.labelNames();
  }

  public Optional<Path> vocab() {
    return Optional.ofNullable(vocab);
  }

  /** What the weight import did (empty for {@link #random} models). */
  public Optional<ImportReport> importReport() {
    return Optional.ofNullable(importReport);
  }

  private void checkOpen() {
    if (closed) throw new IllegalStateException("this TaskModel is closed");
  }

  /** Frees the native memory of the weights; the model cannot be used afterwards. */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE || v.getVariableType() == VariableType.CONSTANT) {
        INDArray a = v.getArr();
        if (a != null && a.closeable()) a.close();
      }
    }
  }

  /**
   * The task head of a Hugging Face folder: the first {@code architectures} entry of its config.json that names a
   * registered head ({@link TaskHead#huggingFaceArchitecture()}); else, when {@code architectures} is absent or says
   * only {@code BertModel} (as jbert exports custom heads), the registered head whose weights the folder holds. Hugging
   * Face's sequence and token classifiers both store {@code classifier.*}; only the first has a pooler, so when the
   * weights fit several heads the one that uses a pooler is chosen if and only if the folder holds the pooler. Empty
   * when {@code architectures} names another class (e.g. {@code BertForPreTraining}) or no head's weights are there.
   *
   * @throws JbertException when the folder cannot be read, or its weights fit several heads equally
   */
  public static Optional<TaskHead> huggingFaceHead(Path dir) {
    Path cfgFile = dir.resolve(HuggingFaceSource.CONFIG_FILE);
    List<String> listed = architectures(JsonFiles.readObject(cfgFile));
    for (String a : listed) {
      Optional<TaskHead> h = TaskHeads.forHuggingFaceArchitecture(a);
      if (h.isPresent()) return h;
    }
    if (!listed.isEmpty() && !listed.equals(List.of(BARE_ENCODER))) return Optional.empty();
    BertConfig config = BertConfig.fromFolder(dir);
    HeadContext probe = HeadContext.of(config, 2);
    List<String> pooler = CheckpointNames.forConfig(config, CheckpointNames.Part.POOLER).stream()
        .map(CheckpointNames::canonical).toList();
    List<TaskHead> fit = new ArrayList<>();
    boolean hasPooler = false;
    for (String type : TaskHeads.types()) {
      TaskHead h = TaskHeads.get(type);
      List<CheckpointNames> w;
      try {
        w = h.weights(probe);
      } catch (JbertException e) {
        continue; // a custom head that needs options a bare folder cannot give
      }
      try (HuggingFaceSource src = HuggingFaceSource.open(dir, w)) {
        hasPooler = src.names().containsAll(pooler);
        if (!w.isEmpty() && w.stream().allMatch(e -> src.names().contains(e.canonical()))) fit.add(h);
      }
    }
    if (fit.size() > 1) {
      boolean p = hasPooler;
      fit = fit.stream().filter(h -> h.usesPooler() == p).toList();
    }
    if (fit.size() > 1) {
      throw new JbertException(cfgFile + ": the weights fit the heads " + fit.stream().map(TaskHead::type).toList()
          + " alike; expected architectures to name one");
    }
    return fit.stream().findFirst();
  }

  /** What {@code architectures} says when a folder holds an encoder without a head Hugging Face knows. */
  private static final String BARE_ENCODER = "BertModel";

  private static List<String> architectures(JsonNode cfg) {
    JsonNode arch = cfg.get("architectures");
    List<String> listed = new ArrayList<>();
    if (arch != null && arch.isArray()) arch.forEach(a -> listed.add(a.asText()));
    return listed;
  }

  private static JbertException noHead(Path file, JsonNode cfg) {
    List<String> known = new ArrayList<>();
    for (String t : TaskHeads.types()) TaskHeads.get(t).huggingFaceArchitecture().ifPresent(known::add);
    return new JbertException(file + ": architectures " + architectures(cfg) + " name no task head and the weights"
        + " hold none; expected one of " + known);
  }

  /** id2label {"0": "neg", "1": "pos"} in id order; empty when absent. */
  private static List<String> id2label(Path file, JsonNode n) {
    if (n == null || n.isNull()) return List.of();
    if (!n.isObject()) throw new JbertException(file + ": key id2label is " + n + "; expected an object id -> name");
    TreeMap<Integer, String> m = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      try {
        m.put(Integer.parseInt(e.getKey()), e.getValue().asText());
      } catch (NumberFormatException ex) {
        throw new JbertException(file + ": id2label key '" + e.getKey() + "' is not an integer id");
      }
    }
    if (!m.isEmpty() && (m.firstKey() != 0 || m.lastKey() != m.size() - 1)) {
      throw new JbertException(file + ": id2label ids are " + m.keySet() + "; expected 0.." + (m.size() - 1));
    }
    return List.copyOf(m.values());
  }

  private static String text(Path file, JsonNode n, String key) {
    JsonNode v = n.get(key);
    if (v == null || !v.isTextual()) {
      throw new JbertException(file + ": key head." + key + " is " + v + "; expected a string");
    }
    return v.asText();
  }

}
