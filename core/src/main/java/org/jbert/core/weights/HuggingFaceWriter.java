package org.jbert.core.weights;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jbert.core.JbertException;
import org.jbert.core.tokenize.TokenizerConfig;
import org.jbert.core.io.AtomicFiles;
import org.jbert.core.config.BertConfig;

/**
 * Writes a Hugging Face model folder: {@code model.safetensors} with HF names and HF layouts (kernels transposed to
 * [out,in]), {@code config.json} from {@link BertConfig#toHuggingFaceJson()}, and {@code vocab.txt} when given. The
 * folder is built under a temporary name beside the target and renamed into place, so a reader never sees half a
 * model.
 */
public final class HuggingFaceWriter {
  private static final ObjectMapper JSON = new ObjectMapper();

  private HuggingFaceWriter() {}

  /**
   * Writes {@code weights} (canonical names, Google layout row-major) to folder {@code dir}, replacing it.
   *
   * @param extraFiles additional small JSON files to put in the folder (file name -> content), e.g. jbert.json
   */
  public static void write(Path dir, BertConfig config, Map<String, float[]> weights, Optional<Path> vocab,
      Map<String, ObjectNode> extraFiles) {
    String mlmFirst = CheckpointNames.forConfig(config, CheckpointNames.Part.MLM_HEAD).get(0).canonical();
    String nspFirst = CheckpointNames.forConfig(config, CheckpointNames.Part.NSP_HEAD).get(0).canonical();
    boolean mlm = weights.containsKey(mlmFirst);
    boolean nsp = weights.containsKey(nspFirst);
    ObjectNode cfg = JSON.createObjectNode();
    cfg.putArray("architectures").add(mlm && nsp ? "BertForPreTraining" : mlm ? "BertForMaskedLM" : "BertModel");
    write(dir, config, List.of(), weights, vocab, cfg, extraFiles);
  }

  /**
   * Writes {@code weights} (canonical names, Google layout row-major) to folder {@code dir}, replacing it.
   *
   * @param headEntries table entries of a task head's variables (besides the encoder and pretraining heads)
   * @param configExtras keys added to (or replacing those of) config.json, e.g. architectures, id2label
   * @param extraFiles additional small JSON files to put in the folder (file name -> content), e.g. jbert.json
   */
  public static void write(Path dir, BertConfig config, List<CheckpointNames> headEntries,
      Map<String, float[]> weights, Optional<Path> vocab, ObjectNode configExtras, Map<String, ObjectNode> extraFiles) {
    List<CheckpointNames> table = new java.util.ArrayList<>(headEntries);
    table.addAll(CheckpointNames.forConfig(config, CheckpointNames.Part.values()));
    Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
    for (CheckpointNames e : table) {
      float[] v = weights.get(e.canonical());
      if (v == null) continue;
      long count = Arrays.stream(e.shape()).reduce(1, (a, b) -> a * b);
      if (v.length != count) {
        throw new JbertException(e.canonical() + " has " + v.length + " values; expected shape "
            + Arrays.toString(e.shape()));
      }
      if (e.transposed()) {
        tensors.put(e.hf(), new SafeTensors.Tensor(new long[] {e.shape()[1], e.shape()[0]},
            HuggingFaceSource.transpose(v, (int) e.shape()[0], (int) e.shape()[1])));
      } else {
        tensors.put(e.hf(), new SafeTensors.Tensor(e.shape(), v));
      }
    }
    for (String name : weights.keySet()) {
      if (CheckpointNames.byCanonical(table, name).isEmpty()) {
        throw new JbertException("cannot export variable " + name + ": it has no Hugging Face name in the table");
      }
    }
    ObjectNode cfg = config.toHuggingFaceJson();
    cfg.setAll(configExtras);
    Path abs = dir.toAbsolutePath().normalize();
    Path parent = abs.getParent();
    Path tmp = null;
    try {
      Files.createDirectories(parent);
      tmp = Files.createTempDirectory(parent, "." + abs.getFileName() + ".tmp");
      SafeTensors.write(tmp.resolve(HuggingFaceSource.WEIGHTS_FILE), tensors, Map.of("format", "pt"));
      writeJson(tmp.resolve(HuggingFaceSource.CONFIG_FILE), cfg);
      for (Map.Entry<String, ObjectNode> f : extraFiles.entrySet()) writeJson(tmp.resolve(f.getKey()), f.getValue());
      if (vocab.isPresent()) copyVocab(vocab.get(), tmp);
      replaceDirectory(tmp, abs);
      tmp = null;
    } catch (IOException e) {
      throw new JbertException(dir + ": cannot write model folder (" + e.getMessage() + ")", e);
    } finally {
      if (tmp != null) AtomicFiles.deleteTree(tmp);
    }
  }

  /**
   * vocab.txt is copied; a tokenizer.json (a folder without vocab.txt) is copied with the tokenizer_config.json beside
   * it, so the saved folder tokenizes as the source did.
   */
  private static void copyVocab(Path vocab, Path tmp) throws IOException {
    if (!vocab.getFileName().toString().endsWith(".json")) {
      Files.copy(vocab, tmp.resolve(HuggingFaceSource.VOCAB_FILE));
      return;
    }
    Files.copy(vocab, tmp.resolve(HuggingFaceSource.TOKENIZER_FILE));
    Path cfg = vocab.resolveSibling(TokenizerConfig.CONFIG_FILE);
    if (Files.isRegularFile(cfg)) Files.copy(cfg, tmp.resolve(TokenizerConfig.CONFIG_FILE));
  }

  private static void writeJson(Path file, ObjectNode node) throws IOException {
    Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n",
        StandardCharsets.UTF_8);
  }

  /** Moves {@code from} to {@code to}; an existing {@code to} is moved aside first and deleted after. */
  private static void replaceDirectory(Path from, Path to) throws IOException {
    if (Files.exists(to)) {
      if (!Files.isDirectory(to)) throw new JbertException(to + ": exists and is not a folder");
      Path old = Files.createTempDirectory(to.getParent(), "." + to.getFileName() + ".old");
      Files.delete(old);
      Files.move(to, old, StandardCopyOption.ATOMIC_MOVE);
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
      AtomicFiles.deleteTree(old);
    } else {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    }
  }

}
