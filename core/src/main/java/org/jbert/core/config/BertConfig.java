package org.jbert.core.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Supplier;
import org.jbert.core.JbertException;
import org.jbert.core.io.JsonFiles;

/**
 * The architecture of a BERT encoder, validated on construction.
 *
 * <p>Shape legend used across jbert: B batch, T sequence length, H hidden, N heads, D head size (H/N), I intermediate,
 * V vocabulary, P max positions.
 *
 * @param vocabSize V, rows of the word-embedding table (30522 for BERT-base uncased)
 * @param hiddenSize H (768 base, 1024 large)
 * @param numHiddenLayers L, transformer layers (12 base, 24 large)
 * @param numAttentionHeads N (12 base, 16 large); H must be divisible by N
 * @param intermediateSize I, feed-forward width (4H)
 * @param hiddenAct feed-forward activation; see {@link Activation} for the GELU trap
 * @param hiddenDropoutProb dropout on embeddings and sublayer outputs during training (0.1)
 * @param attentionProbsDropoutProb dropout on attention probabilities during training (0.1)
 * @param maxPositionEmbeddings P, the longest sequence the position table covers (512)
 * @param typeVocabSize segment types (2)
 * @param initializerRange stddev of the truncated-normal init for fresh weights (0.02)
 * @param layerNormEps LayerNorm epsilon (1e-12)
 */
public record BertConfig(
    int vocabSize,
    int hiddenSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int intermediateSize,
    Activation hiddenAct,
    double hiddenDropoutProb,
    double attentionProbsDropoutProb,
    int maxPositionEmbeddings,
    int typeVocabSize,
    double initializerRange,
    double layerNormEps) {

  public BertConfig {
    positive("vocab_size", vocabSize);
    positive("hidden_size", hiddenSize);
    positive("num_hidden_layers", numHiddenLayers);
    positive("num_attention_heads", numAttentionHeads);
    positive("intermediate_size", intermediateSize);
    positive("max_position_embeddings", maxPositionEmbeddings);
    positive("type_vocab_size", typeVocabSize);
    if (hiddenSize % numAttentionHeads != 0) {
      throw new JbertException("hidden_size " + hiddenSize + " is not divisible by num_attention_heads "
          + numAttentionHeads + "; expected hidden_size = heads x head size");
    }
    if (hiddenAct == null) throw new JbertException("hidden_act is missing; expected gelu, gelu_new or relu");
    probability("hidden_dropout_prob", hiddenDropoutProb);
    probability("attention_probs_dropout_prob", attentionProbsDropoutProb);
    if (!(initializerRange > 0)) throw new JbertException("initializer_range must be > 0, got " + initializerRange);
    if (!(layerNormEps > 0)) throw new JbertException("layer_norm_eps must be > 0, got " + layerNormEps);
  }

  /** D, the size of one attention head. */
  public int headSize() {
    return hiddenSize / numAttentionHeads;
  }

  /** BERT-base: L=12, H=768, N=12, I=3072, V=30522 (uncased vocabulary), tanh GELU as in Google's checkpoints. */
  public static BertConfig base() {
    return new BertConfig(30522, 768, 12, 12, 3072, Activation.GELU_TANH, 0.1, 0.1, 512, 2, 0.02, 1e-12);
  }

  /** BERT-large: L=24, H=1024, N=16, I=4096, V=30522. */
  public static BertConfig large() {
    return new BertConfig(30522, 1024, 24, 16, 4096, Activation.GELU_TANH, 0.1, 0.1, 512, 2, 0.02, 1e-12);
  }

  /** A copy with another vocabulary size (the cased BERT-base vocabulary has 28996 entries). */
  public BertConfig withVocabSize(int v) {
    return new BertConfig(v, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize, hiddenAct,
        hiddenDropoutProb, attentionProbsDropoutProb, maxPositionEmbeddings, typeVocabSize, initializerRange,
        layerNormEps);
  }

  /** A copy with both dropout probabilities replaced (0 for deterministic training tests). */
  public BertConfig withDropout(double hidden, double attention) {
    return new BertConfig(vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize, hiddenAct,
        hidden, attention, maxPositionEmbeddings, typeVocabSize, initializerRange, layerNormEps);
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Google's {@code bert_config.json}, bound by {@link ConfigMapper#json()}: every key known, the sizes required;
   * {@code directionality} and {@code pooler_*} keys are ignored.
   */
  private record GoogleJson(int vocabSize, int hiddenSize, int numHiddenLayers, int numAttentionHeads,
      int intermediateSize, Optional<String> hiddenAct, Optional<Double> hiddenDropoutProb,
      Optional<Double> attentionProbsDropoutProb, int maxPositionEmbeddings, Optional<Integer> typeVocabSize,
      Optional<Double> initializerRange) {}

  /** The keys of a Hugging Face {@code config.json} that jbert reads (it holds many more, which are ignored). */
  private record HuggingFaceJson(Optional<String> modelType, int vocabSize, int hiddenSize, int numHiddenLayers,
      int numAttentionHeads, int intermediateSize, Optional<String> hiddenAct, Optional<Double> hiddenDropoutProb,
      Optional<Double> attentionProbsDropoutProb, int maxPositionEmbeddings, Optional<Integer> typeVocabSize,
      Optional<Double> initializerRange, Optional<Double> layerNormEps, Optional<String> positionEmbeddingType) {}

  /**
   * Reads Google's {@code bert_config.json}. Its "gelu" means the tanh approximation, which is what
   * google-research/bert computes.
   */
  public static BertConfig fromGoogleJson(Path file) {
    ObjectNode n = JsonFiles.readObject(file);
    n.remove("directionality");
    n.properties().removeIf(e -> e.getKey().startsWith("pooler_"));
    GoogleJson g = ConfigMapper.json().bind(n, GoogleJson.class, file.toString());
    String act = g.hiddenAct().orElse("gelu");
    Activation a = switch (act) {
      case "gelu" -> Activation.GELU_TANH;
      case "relu" -> Activation.RELU;
      default -> throw new JbertException(file + ": hidden_act '" + act + "' is not supported; expected gelu or relu");
    };
    return build(file, () -> new BertConfig(g.vocabSize(), g.hiddenSize(), g.numHiddenLayers(),
        g.numAttentionHeads(), g.intermediateSize(), a, g.hiddenDropoutProb().orElse(0.1),
        g.attentionProbsDropoutProb().orElse(0.1), g.maxPositionEmbeddings(), g.typeVocabSize().orElse(2),
        g.initializerRange().orElse(0.02), 1e-12));
  }

  /**
   * Reads a Hugging Face {@code config.json}. Its "gelu" is exact erf; "gelu_new", "gelu_pytorch_tanh" and
   * "gelu_fast" are the tanh approximation.
   */
  public static BertConfig fromHuggingFaceJson(Path file) {
    ObjectNode n = JsonFiles.readObject(file);
    n.retain(Arrays.stream(HuggingFaceJson.class.getRecordComponents())
        .map(c -> ConfigTypes.snake(c.getName())).toList());
    HuggingFaceJson h = ConfigMapper.json().bind(n, HuggingFaceJson.class, file.toString());
    String type = h.modelType().orElse("bert");
    if (!type.equals("bert")) {
      throw new JbertException(file + ": model_type '" + type + "' is not supported; expected bert");
    }
    String act = h.hiddenAct().orElse("gelu");
    Activation a = switch (act) {
      case "gelu" -> Activation.GELU_ERF;
      case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> Activation.GELU_TANH;
      case "relu" -> Activation.RELU;
      default -> throw new JbertException(file + ": hidden_act '" + act
          + "' is not supported; expected gelu, gelu_new, gelu_pytorch_tanh or relu");
    };
    String pe = h.positionEmbeddingType().orElse("absolute");
    if (!pe.equals("absolute")) {
      throw new JbertException(file + ": position_embedding_type '" + pe + "' is not supported; expected absolute");
    }
    return build(file, () -> new BertConfig(h.vocabSize(), h.hiddenSize(), h.numHiddenLayers(),
        h.numAttentionHeads(), h.intermediateSize(), a, h.hiddenDropoutProb().orElse(0.1),
        h.attentionProbsDropoutProb().orElse(0.1), h.maxPositionEmbeddings(), h.typeVocabSize().orElse(2),
        h.initializerRange().orElse(0.02), h.layerNormEps().orElse(1e-12)));
  }

  /** Reads whichever format {@code dir} holds: {@code bert_config.json} (Google) or {@code config.json} (HF/jbert). */
  public static BertConfig fromFolder(Path dir) {
    if (Files.isRegularFile(dir.resolve("bert_config.json"))) return fromGoogleJson(dir.resolve("bert_config.json"));
    if (Files.isRegularFile(dir.resolve("config.json"))) return fromHuggingFaceJson(dir.resolve("config.json"));
    throw new JbertException(dir + ": no bert_config.json or config.json in this folder");
  }

  /** This config as a Hugging Face {@code config.json} object ({@code BertModel}, absolute positions). */
  public ObjectNode toHuggingFaceJson() {
    ObjectNode n = JSON.createObjectNode();
    n.put("model_type", "bert");
    n.put("vocab_size", vocabSize);
    n.put("hidden_size", hiddenSize);
    n.put("num_hidden_layers", numHiddenLayers);
    n.put("num_attention_heads", numAttentionHeads);
    n.put("intermediate_size", intermediateSize);
    n.put("hidden_act", hiddenAct.hfName());
    n.put("hidden_dropout_prob", hiddenDropoutProb);
    n.put("attention_probs_dropout_prob", attentionProbsDropoutProb);
    n.put("max_position_embeddings", maxPositionEmbeddings);
    n.put("type_vocab_size", typeVocabSize);
    n.put("initializer_range", initializerRange);
    n.put("layer_norm_eps", layerNormEps);
    n.put("position_embedding_type", "absolute");
    return n;
  }

  /** The config {@code make} builds; its validation errors name {@code file}. */
  private static BertConfig build(Path file, Supplier<BertConfig> make) {
    try {
      return make.get();
    } catch (JbertException e) {
      throw new JbertException(file + ": " + e.getMessage(), e);
    }
  }

  private static void positive(String key, int v) {
    if (v <= 0) throw new JbertException(key + " must be a positive integer, got " + v);
  }

  private static void probability(String key, double p) {
    if (!(p >= 0 && p < 1)) throw new JbertException(key + " must be in [0, 1), got " + p);
  }
}
