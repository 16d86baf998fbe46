package org.jbert.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.config.ConfigMapper;
import org.jbert.core.io.JsonFiles;
import org.jbert.core.model.BertModel;
import org.jbert.core.weights.CheckpointNames;
import org.jbert.core.weights.HuggingFaceSource;
import org.jbert.core.weights.HuggingFaceWriter;
import org.jbert.core.weights.ImportReport;
import org.jbert.core.weights.WeightImporter;
import org.jbert.finetune.head.HeadContext;
import org.jbert.finetune.head.ProblemType;
import org.jbert.finetune.head.QuestionAnsweringHead;
import org.jbert.finetune.head.TaskHead;
import org.jbert.finetune.head.TaskHeads;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The folder I/O of {@link TaskModel}: Hugging Face task folders ({@link #fromHuggingFace}:
 * {@code BertForSequenceClassification}, {@code BertForTokenClassification}, {@code BertForQuestionAnswering},
 * chosen by {@code architectures} or, without it, by the weights the folder holds: {@link #huggingFaceHead}), jbert
 * folders ({@link #load}, {@link #save}) and the head a folder stores ({@link #storedHead}).
 *
 * <p>Saved format ({@link #save}): the {@link BertModel} folder layout (a Hugging Face folder: config.json with
 * {@code architectures}, {@code id2label}/{@code label2id} and {@code problem_type} as transformers writes them,
 * model.safetensors with HF names, vocab.txt) plus {@code jbert.json} holding the format version and a {@code head}
 * object: {@code type}, {@code num_labels}, {@code problem_type}, {@code dropout}, {@code id2label},
 * {@code options}. A folder with a built-in head loads in transformers as the matching {@code BertFor...} class.
 */
public final class TaskModelFiles {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TaskModelFiles() {}

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
      ImportReport report = WeightImporter.load(m.sameDiff(), src, true);
      m.imported(report, src.vocab().orElse(null));
      List<String> stray = report.unexpected();
      if (!stray.isEmpty()) {
        throw new JbertException(src.description() + ": tensors " + stray + " belong to no part of a "
            + head.type() + " model");
      }
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
    JbertJson.Head h = JbertJson.read(marker).head().orElseThrow(() -> new JbertException(marker + ": no '"
        + TaskModel.HEAD_KEY + "' object (an encoder without a task head; load it with BertModel.load)"));
    TaskHead head = TaskHeads.get(h.type());
    BertConfig config = BertConfig.fromFolder(dir);
    HeadContext ctx = new HeadContext(config, DataType.FLOAT, h.numLabels(),
        ProblemType.fromHfName(h.problemType(), marker + " key head.problem_type"),
        h.dropout().orElse(config.hiddenDropoutProb()), id2label(marker, ConfigMapper.json().toTree(h.id2label())), new TreeMap<>(h.options()));
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
    if (Files.isRegularFile(marker)) return JbertJson.read(marker).head().map(h -> TaskHeads.get(h.type()));
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
  public static void save(TaskModel model, Path dir) {
    BertConfig config = model.config();
    TaskHead head = model.head();
    HeadContext ctx = model.context();
    Map<String, String> names = new LinkedHashMap<>();
    for (int i = 0; i < ctx.labelNames().size(); i++) names.put(Integer.toString(i), ctx.labelNames().get(i));
    JbertJson.Head h = new JbertJson.Head(head.type(), ctx.numLabels(), ctx.problemType().hfName(),
        Optional.of(ctx.dropoutRate()), names, new TreeMap<>(ctx.options()));
    JbertJson j = new JbertJson("jbert", BertModel.FORMAT_VERSION, config.hiddenAct().name(), Optional.of(h));
    ObjectNode marker = (ObjectNode) ConfigMapper.json().toTree(j);
    write(model, dir, Map.of(BertModel.JBERT_FILE, marker));
  }

  /**
   * Exports as a Hugging Face folder (config.json, model.safetensors, vocab.txt when known). With a built-in head it
   * loads in transformers as the matching {@code BertFor...} class; a custom head's tensors are written under the
   * names its table entries give, and {@code architectures} says {@code BertModel}.
   */
  public static void exportHuggingFace(TaskModel model, Path dir) {
    write(model, dir, Map.of());
  }

  private static void write(TaskModel model, Path dir, Map<String, ObjectNode> extra) {
    SameDiff sd = model.sameDiff();
    BertConfig config = model.config();
    TaskHead head = model.head();
    HeadContext ctx = model.context();
    Map<String, float[]> weights = new LinkedHashMap<>();
    for (CheckpointNames e : model.tableEntries()) {
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
    HuggingFaceWriter.write(dir, config, head.weights(ctx), weights, model.vocab(), cfg, extra);
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
}
