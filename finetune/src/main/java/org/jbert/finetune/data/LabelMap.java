package org.jbert.finetune.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jbert.core.JbertException;
import org.jbert.core.io.AtomicFiles;

/**
 * The labels of a classification or tagging task and their ids 0..n-1.
 *
 * <p>Built from the training data, the ids follow a deterministic order that does not depend on the order of the
 * examples: numeric order when every label is an integer ({@code "2" < "10"}, so GLUE's {@code 0/1} labels get the
 * ids they name), else {@link String#compareTo} order. It can also be given explicitly, and saved/loaded as
 * {@code {"label2id": {"ham": 0, "spam": 1}}} (the key Hugging Face's {@code config.json} uses).
 */
public final class LabelMap {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<String> labels;
  private final Map<String, Integer> ids;

  private LabelMap(List<String> labels, String source) {
    this.labels = List.copyOf(labels);
    this.ids = new HashMap<>();
    for (int i = 0; i < labels.size(); i++) {
      if (ids.put(labels.get(i), i) != null) {
        throw new JbertException(source + ": label \"" + labels.get(i) + "\" is given twice; expected distinct labels");
      }
    }
  }

  /** The labels in the given order: {@code labels.get(i)} gets id {@code i}. */
  public static LabelMap of(List<String> labels) {
    if (labels.isEmpty()) throw new JbertException("label list is empty; expected at least one label");
    return new LabelMap(labels, "label list " + labels);
  }

  /** The distinct labels of the training examples (multi-label lists flattened); {@code source} names the file. */
  public static LabelMap fromExamples(String source, Collection<Example> train) {
    List<String> all = new ArrayList<>();
    for (Example e : train) {
      if (!e.hasLabel() && !e.multiLabel()) {
        throw new JbertException(e.where() + ": no \"label\"; every training example needs one");
      }
      all.addAll(e.labels());
    }
    return fromLabels(source, all);
  }

  /** The distinct tags of the training sentences; {@code source} names the file. */
  public static LabelMap fromSentences(String source, Collection<TaggedSentence> train) {
    List<String> all = new ArrayList<>();
    for (TaggedSentence s : train) all.addAll(s.tags());
    return fromLabels(source, all);
  }

  /** The distinct values of {@code labels} in the deterministic order above; {@code source} names the file. */
  public static LabelMap fromLabels(String source, Collection<String> labels) {
    if (labels.isEmpty()) {
      throw new JbertException(source + ": the training set has no labels (no labeled examples); expected at least one");
    }
    TreeSet<String> distinct = new TreeSet<>(labels);
    boolean numeric = distinct.stream().allMatch(LabelMap::isInteger);
    List<String> sorted = new ArrayList<>(distinct);
    if (numeric) {
      sorted.sort(Comparator.comparing(java.math.BigInteger::new));
    }
    return new LabelMap(sorted, source);
  }

  private static boolean isInteger(String s) {
    return s.matches("-?[0-9]{1,18}");
  }

  public int size() {
    return labels.size();
  }

  /** The labels in id order. */
  public List<String> labels() {
    return labels;
  }

  /** The label with id {@code id}. */
  public String label(int id) {
    if (id < 0 || id >= labels.size()) {
      throw new JbertException("label id " + id + " is out of range; expected 0.." + (labels.size() - 1));
    }
    return labels.get(id);
  }

  public boolean contains(String label) {
    return ids.containsKey(label);
  }

  /** The id of {@code label}; an unknown label is an error naming {@code where}, the label and the known labels. */
  public int id(String label, String where) {
    Integer id = ids.get(label);
    if (id == null) {
      throw new JbertException(where + ": unknown label \"" + label + "\"; known labels: " + knownLabels());
    }
    return id;
  }

  /** The id of the example's single label. */
  public int id(Example e) {
    return id(e.label(), e.where());
  }

  /** A multi-hot vector [n] for a multi-label example: 1 at the id of each of its labels. */
  public float[] multiHot(Example e) {
    float[] v = new float[labels.size()];
    for (String l : e.labels()) v[id(l, e.where())] = 1f;
    return v;
  }

  /** The id of each tag of {@code s}; an unknown tag names its own line. */
  public int[] ids(TaggedSentence s) {
    int[] out = new int[s.tags().size()];
    for (int i = 0; i < out.length; i++) out[i] = id(s.tags().get(i), s.where(i));
    return out;
  }

  private String knownLabels() {
    String all = labels.toString();
    return all.length() <= 300 ? all : all.substring(0, 300) + "... (" + labels.size() + " labels)";
  }

  /** Writes {@code {"label2id": {...}}} atomically, labels in id order. */
  public void save(Path file) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode m = root.putObject("label2id");
    for (int i = 0; i < labels.size(); i++) m.put(labels.get(i), i);
    AtomicFiles.write(file, out -> out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root)));
  }

  /** Reads a file that {@link #save} wrote: ids must be the integers 0..n-1, each once. */
  public static LabelMap load(Path file) {
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      throw new JbertException(file + ": not valid JSON (" + e.getOriginalMessage() + ")");
    } catch (NoSuchFileException | java.io.FileNotFoundException e) {
      throw new JbertException(file + ": label map file not found");
    } catch (IOException e) {
      throw new JbertException(file + ": cannot read the label map (" + e.getMessage() + ")", e);
    }
    JsonNode m = root == null ? null : root.get("label2id");
    if (m == null || !m.isObject() || m.isEmpty()) {
      throw new JbertException(file + ": missing \"label2id\" (an object label -> id); expected {\"label2id\": {...}}");
    }
    String[] byId = new String[m.size()];
    for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      JsonNode v = f.getValue();
      if (!v.isIntegralNumber() || v.intValue() < 0 || v.intValue() >= byId.length || byId[v.intValue()] != null) {
        throw new JbertException(file + ": label2id.\"" + f.getKey() + "\" is " + v + "; expected distinct ids 0.."
            + (byId.length - 1));
      }
      byId[v.intValue()] = f.getKey();
    }
    return new LabelMap(List.of(byId), file.toString());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LabelMap other && labels.equals(other.labels);
  }

  @Override
  public int hashCode() {
    return labels.hashCode();
  }

  @Override
  public String toString() {
    return "LabelMap" + labels;
  }
}
