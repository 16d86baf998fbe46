package org.jbert.core.graph;

import java.util.ArrayList;
import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;
import org.jbert.core.kernels.KernelRuntime;
import org.nd4j.autodiff.samediff.NameScope;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Builds the BERT encoder (google-research/bert {@code modeling.BertModel}) into a SameDiff. Name scopes follow
 * modeling.py, so every trainable variable is named exactly as in Google's checkpoints and
 * {@link org.jbert.core.weights.CheckpointNames#canonical()} ({@code bert/embeddings/word_embeddings},
 * {@code bert/encoder/layer_3/attention/self/query/kernel}, {@code bert/pooler/dense/kernel}, ...), kernels in TF
 * layout [in,out].
 *
 * <p>Inputs are int32 placeholders [B,T] with B and T dynamic; T must not exceed P (checked by the model API, the graph
 * itself would fail inside the position lookup). Padded keys get -10000 added to their attention scores, as in
 * Google's code (HF adds the dtype minimum; both give the same softmax to float32 precision).
 *
 * <p>Outputs (TF Hub names): {@value #DEFAULT} and {@value #POOLED_OUTPUT} [B,H], {@value #SEQUENCE_OUTPUT} [B,T,H],
 * {@code encoder_outputs/0 .. encoder_outputs/L-1} [B,T,H], {@value #EMBEDDING_OUTPUT} [B,T,H].
 *
 * <p>LayerNorm is built from mean and variance ops with the config's epsilon inside the square root (SameDiff's fused
 * layerNorm takes no epsilon); GELU is the tanh or erf form as {@link BertConfig#hiddenAct()} says; embedding lookups
 * use {@link EmbeddingGather}, whose gradient works inside {@code fit}.
 *
 * <p>Dropout sits behind one scalar constant {@value #TRAINING} (0 = inference, the default; 1 = training; see
 * {@link #setTraining}), so one graph serves both, {@code fit} included; with both dropout probabilities 0 no dropout
 * ops are built at all.
 */
public final class BertGraph {
  public static final String INPUT_WORD_IDS = "input_word_ids";
  public static final String INPUT_MASK = "input_mask";
  public static final String INPUT_TYPE_IDS = "input_type_ids";
  public static final String TRAINING = "training";
  public static final String DEFAULT = "default";
  public static final String POOLED_OUTPUT = "pooled_output";
  public static final String SEQUENCE_OUTPUT = "sequence_output";
  public static final String EMBEDDING_OUTPUT = "embedding_output";
  /** Layer k's output is named {@code encoder_outputs/k}. */
  public static final String ENCODER_OUTPUTS = "encoder_outputs";

  /** Suffix of a kernel's bf16 copy in a {@link MatmulPrecision#BF16} graph ({@code .../query/kernel_bf16}). */
  static final String BF16_COPY = "_bf16";

  private BertGraph() {}

  /** The name of layer {@code k}'s output variable. */
  public static String encoderOutputName(int k) {
    return ENCODER_OUTPUTS + "/" + k;
  }

  /** Builds the encoder and pooler in float32. */
  public static EncoderOutputs build(SameDiff sd, BertConfig c) {
    return build(sd, c, DataType.FLOAT);
  }

  /**
   * Builds the encoder and pooler with variables of {@code dtype} (FLOAT for models, DOUBLE for gradient checks).
   * Variables start with SameDiff's default values; load weights with
   * {@link org.jbert.core.weights.WeightImporter} or initialize them with
   * {@link org.jbert.core.model.BertModel#initialize}.
   */
  public static EncoderOutputs build(SameDiff sd, BertConfig c, DataType dtype) {
    return build(sd, c, dtype, true);
  }

  /**
   * As {@link #build(SameDiff, BertConfig, DataType)}; with {@code pooler} false the pooler is left out (no
   * {@code bert/pooler/...} variables, no {@value #POOLED_OUTPUT} / {@value #DEFAULT} outputs, and
   * {@link EncoderOutputs#pooledOutput()} is null), as in HF's token-classification and QA models
   * ({@code add_pooling_layer=False}).
   */
  public static EncoderOutputs build(SameDiff sd, BertConfig c, DataType dtype, boolean pooler) {
    return build(sd, c, dtype, pooler, MatmulPrecision.FLOAT32);
  }

  /**
   * As {@link #build(SameDiff, BertConfig, DataType, boolean)}, with the dense products in {@code precision}
   * ({@link MatmulPrecision#BF16}: float32 variables only, for inference; see there).
   */
  public static EncoderOutputs build(SameDiff sd, BertConfig c, DataType dtype, boolean pooler,
      MatmulPrecision precision) {
    return build(sd, c, dtype, pooler, precision, false);
  }

  /**
   * As {@link #build(SameDiff, BertConfig, DataType, boolean)}, from fused ops when this JVM's kernel path has kernels
   * of its own ({@link KernelRuntime#fusedGraphs()}: oneDNN when jbert-onednn is on the class path and loads, unless
   * {@code JBERT_KERNELS=libnd4j}) and {@code dtype} is FLOAT; else exactly the unfused graph. Models that train
   * (task models, pretraining models) are built here, so {@code jbert run} trains on the fused graph, backward pass
   * included, when the kernels are active.
   */
  public static EncoderOutputs buildOnKernels(SameDiff sd, BertConfig c, DataType dtype, boolean pooler) {
    return build(sd, c, dtype, pooler, MatmulPrecision.FLOAT32,
        dtype == DataType.FLOAT && KernelRuntime.fusedGraphs());
  }

  /**
   * As {@link #build(SameDiff, BertConfig, DataType, boolean, MatmulPrecision)}; with {@code fused} true the encoder
   * layers and the embedding LayerNorm are built from jbert's fused ops ({@link FusedDense}, {@link FusedAttention},
   * {@link FusedLayerNorm}; see {@link FusedEncoder}), which SameDiff runs through
   * {@link org.jbert.core.kernels.KernelSession}, backward pass included. Same variables, same outputs, same
   * dropout masks for the same {@link DropoutSeeds}; float32 products only. With {@code fused} false the graph is
   * exactly the unfused one.
   */
  public static EncoderOutputs build(SameDiff sd, BertConfig c, DataType dtype, boolean pooler,
      MatmulPrecision precision, boolean fused) {
    if (fused) FusedEncoder.check(precision);
    if (precision == MatmulPrecision.BF16 && dtype != DataType.FLOAT) {
      throw new JbertException("matmul precision BF16 with " + dtype + " variables; expected FLOAT variables");
    }
    Dense dense = new Dense(dtype, precision);
    SDVariable ids = sd.placeHolder(INPUT_WORD_IDS, DataType.INT, -1, -1);
    SDVariable mask = sd.placeHolder(INPUT_MASK, DataType.INT, -1, -1);
    SDVariable types = sd.placeHolder(INPUT_TYPE_IDS, DataType.INT, -1, -1);
    SDVariable training = sd.constant(TRAINING, Nd4j.scalar(dtype, 0));
    Shapes shapes = new Shapes(sd, ids, c);

    SDVariable wordTable;
    SDVariable x; // [B*T,H] through the layers
    SDVariable embeddingOutput;
    List<SDVariable> layerOutputs = new ArrayList<>();
    SDVariable pooled = null;
    try (NameScope bert = sd.withNameScope("bert")) {
      try (NameScope emb = sd.withNameScope("embeddings")) {
        wordTable = sd.var("word_embeddings", dtype, c.vocabSize(), c.hiddenSize());
        x = embeddings(sd, c, dtype, wordTable, ids, types, training, shapes, fused);
      }
      embeddingOutput = sd.reshape(x, shapes.bth);
      // Additive attention mask [B,1,1,T]: 0 where input_mask is 1, -10000 where it is 0 (Google's constant).
      SDVariable adder = sd.expandDims(sd.expandDims(sd.castTo(mask, dtype).rsub(1.0).mul(-10000.0), 1), 1);
      // M2.1's expand_dims leaves a one-element [1,1] as it is; the fused ops read B and T from the mask's shape
      if (fused) adder = sd.reshape(adder, shapes.b11t(sd));
      try (NameScope enc = sd.withNameScope("encoder")) {
        for (int l = 0; l < c.numHiddenLayers(); l++) {
          try (NameScope layer = sd.withNameScope("layer_" + l)) {
            x = fused ? FusedEncoder.layer(sd, c, dtype, x, adder, training)
                : transformerLayer(sd, c, dense, x, adder, training, shapes);
          }
          layerOutputs.add(sd.reshape(x, shapes.bth));
        }
      }
      if (pooler) {
        try (NameScope p = sd.withNameScope("pooler")) {
          SDVariable last = layerOutputs.get(layerOutputs.size() - 1);
          SDVariable first = last.get(SDIndex.all(), SDIndex.point(0), SDIndex.all()); // [B,H]
          pooled = Ops.tanh(dense.layer(sd, "dense", dense.input(sd, first), c.hiddenSize(), c.hiddenSize()));
        }
      }
    }
    embeddingOutput = sd.identity(EMBEDDING_OUTPUT, embeddingOutput);
    List<SDVariable> named = new ArrayList<>();
    for (int l = 0; l < layerOutputs.size(); l++) {
      named.add(sd.identity(encoderOutputName(l), layerOutputs.get(l)));
    }
    SDVariable sequenceOutput = sd.identity(SEQUENCE_OUTPUT, layerOutputs.get(layerOutputs.size() - 1));
    SDVariable pooledOutput = null;
    if (pooled != null) {
      pooledOutput = sd.identity(POOLED_OUTPUT, pooled);
      sd.identity(DEFAULT, pooled);
    }
    return new EncoderOutputs(ids, mask, types, training, wordTable, embeddingOutput, List.copyOf(named),
        sequenceOutput, x, pooledOutput);
  }

  /** Dynamic shape vectors derived from input_word_ids [B,T]. */
  private static final class Shapes {
    final SDVariable bth; // [B,T,H]
    final SDVariable bt; // [B,T]
    final SDVariable btnd; // [B,T,N,D]
    final SDVariable seqLen; // T

    Shapes(SameDiff sd, SDVariable ids, BertConfig c) {
      SDVariable bt = sd.castTo(sd.shape(ids), DataType.LONG);
      this.bt = bt;
      bth = sd.concat(0, bt, sd.constant(Nd4j.createFromArray(new long[] {c.hiddenSize()})));
      btnd = sd.concat(0, bt, sd.constant(Nd4j.createFromArray(new long[] {c.numAttentionHeads(), c.headSize()})));
      seqLen = sd.sizeAt(ids, 1);
    }

    /** [B,1,1,T], made on request (only fused graphs use it; the unfused graph keeps exactly its ops). */
    SDVariable b11t(SameDiff sd) {
      return sd.concat(0, bt.get(SDIndex.interval(0, 1)), sd.constant(Nd4j.createFromArray(new long[] {1, 1})),
          bt.get(SDIndex.interval(1, 2)));
    }
  }

  /**
   * modeling.py {@code embedding_lookup} + {@code embedding_postprocessor}: word + token type + position
   * embeddings, LayerNorm, dropout. Returns [B*T,H].
   */
  private static SDVariable embeddings(SameDiff sd, BertConfig c, DataType dtype, SDVariable wordTable,
      SDVariable ids, SDVariable types, SDVariable training, Shapes shapes, boolean fused) {
    int h = c.hiddenSize();
    SDVariable typeTable = sd.var("token_type_embeddings", dtype, c.typeVocabSize(), h);
    SDVariable posTable = sd.var("position_embeddings", dtype, c.maxPositionEmbeddings(), h);
    SDVariable words = Ops.embeddingLookup(wordTable, sd.reshape(ids, -1)); // [B*T,H]
    SDVariable segs = Ops.embeddingLookup(typeTable, sd.reshape(types, -1)); // [B*T,H]
    SDVariable positions = sd.range(sd.constant(0), shapes.seqLen, sd.constant(1), DataType.INT);
    SDVariable pos = Ops.embeddingLookup(posTable, positions); // [T,H], broadcast over B
    SDVariable sum = sd.reshape(words.add(segs), shapes.bth).add(pos); // [B,T,H]
    SDVariable flat = sd.reshape(sum, -1, h);
    SDVariable ln = fused ? FusedEncoder.layerNorm(sd, flat, null, h, c.layerNormEps(), dtype)
        : layerNorm(sd, flat, h, c.layerNormEps(), dtype);
    return Ops.dropout(ln, training, c.hiddenDropoutProb());
  }

  /**
   * One transformer layer (modeling.py {@code transformer_model} loop body), in scope {@code layer_k}.
   *
   * @param x [B*T,H]
   * @param adder [B,1,1,T] additive attention mask
   * @return [B*T,H]
   */
  private static SDVariable transformerLayer(SameDiff sd, BertConfig c, Dense dense, SDVariable x,
      SDVariable adder, SDVariable training, Shapes shapes) {
    DataType dtype = dense.dtype;
    int h = c.hiddenSize();
    SDVariable attn;
    try (NameScope a = sd.withNameScope("attention")) {
      SDVariable ctx;
      try (NameScope s = sd.withNameScope("self")) {
        // 1/sqrt(D) scales the queries [B*T,H] rather than the scores [B,N,T,T]: fewer elements for T > D.
        SDVariable xIn = dense.input(sd, x); // cast once for the three products
        SDVariable query = dense.layer(sd, "query", xIn, h, h).mul(1.0 / Math.sqrt(c.headSize()));
        SDVariable q = heads(sd, query, shapes.btnd); // [B,N,T,D]
        SDVariable k = heads(sd, dense.layer(sd, "key", xIn, h, h), shapes.btnd);
        SDVariable v = heads(sd, dense.layer(sd, "value", xIn, h, h), shapes.btnd);
        SDVariable scores = sd.mmul(q, k, false, true, false).add(adder);
        SDVariable probs = sd.nn().softmax(scores, -1); // [B,N,T,T]
        probs = Ops.dropout(probs, training, c.attentionProbsDropoutProb());
        SDVariable ctx4 = sd.permute(sd.mmul(probs, v), 0, 2, 1, 3); // [B,T,N,D]
        ctx = sd.reshape(ctx4, -1, h); // [B*T,H]
      }
      try (NameScope o = sd.withNameScope("output")) {
        SDVariable proj = Ops.dropout(dense.layer(sd, "dense", dense.input(sd, ctx), h, h), training,
            c.hiddenDropoutProb());
        attn = layerNorm(sd, proj.add(x), h, c.layerNormEps(), dtype);
      }
    }
    SDVariable mid; // [B*T,I]
    try (NameScope i = sd.withNameScope("intermediate")) {
      // float32 in every precision: this product's bf16 form was not faster (491 vs 493-518 ms per BERT-base
      // B=32 batch, `bench --profile`) and would add two casts of [B*T,I] per layer.
      mid = Ops.activation(denseVars(sd, "dense", attn, h, c.intermediateSize(), dtype), c.hiddenAct());
    }
    try (NameScope o = sd.withNameScope("output")) {
      SDVariable out = Ops.dropout(dense.layer(sd, "dense", dense.input(sd, mid), c.intermediateSize(), h), training,
          c.hiddenDropoutProb());
      return layerNorm(sd, out.add(attn), h, c.layerNormEps(), dtype);
    }
  }

  /**
   * Copies every kernel into its bf16 constant in a graph built with {@link MatmulPrecision#BF16} (call after loading
   * or changing the weights; a float32 graph has none and is left as it is).
   *
   * @return the number of kernels copied
   */
  public static int copyKernelsToBf16(SameDiff sd) {
    int n = 0;
    for (SDVariable copy : sd.variables()) {
      String name = copy.name();
      if (name.endsWith(BF16_COPY)) {
        copy.getArr().assign(sd.getVariable(name.substring(0, name.length() - BF16_COPY.length())).getArr());
        n++;
      }
    }
    return n;
  }

  /** Sets the dropout switch of a graph built by {@link #build}: true = training (dropout on). */
  public static void setTraining(SameDiff sd, boolean on) {
    sd.getVariable(TRAINING).getArr().assign(on ? 1 : 0);
  }

  /**
   * The encoder's dense layers in one {@link MatmulPrecision}: {@link #input} casts a layer input [K,in] to the
   * product's type (once, where several layers share it), {@link #layer} makes the variables (of the graph's dtype)
   * and returns [K,out] in that dtype.
   */
  private static final class Dense {
    final DataType dtype;
    final MatmulPrecision precision;

    Dense(DataType dtype, MatmulPrecision precision) {
      this.dtype = dtype;
      this.precision = precision;
    }

    SDVariable input(SameDiff sd, SDVariable x) {
      return precision == MatmulPrecision.BF16 ? sd.castTo(x, DataType.BFLOAT16) : x;
    }

    SDVariable layer(SameDiff sd, String name, SDVariable xIn, int in, int out) {
      if (precision == MatmulPrecision.FLOAT32) return denseVars(sd, name, xIn, in, out, dtype);
      try (NameScope s = sd.withNameScope(name)) {
        SDVariable kernel = sd.var("kernel", dtype, in, out);
        SDVariable bias = sd.var("bias", dtype, out);
        // the kernel's bf16 copy [in,out]: a constant that copyKernelsToBf16 fills once the weights are loaded
        // (sd.constant takes the full name: it does not prefix the name scope)
        SDVariable kernelLow = sd.constant(kernel.name() + BF16_COPY, Nd4j.zeros(DataType.BFLOAT16, in, out));
        SDVariable product = xIn.mmul(kernelLow); // [K,out] bf16
        return sd.castTo(product, dtype).add(bias);
      }
    }
  }

  /** A dense layer in the current scope: variables {@code <scope>/<name>/kernel} [in,out] and {@code /bias} [out]. */
  public static SDVariable denseVars(SameDiff sd, String name, SDVariable x, int in, int out, DataType dtype) {
    try (NameScope s = sd.withNameScope(name)) {
      SDVariable kernel = sd.var("kernel", dtype, in, out);
      SDVariable bias = sd.var("bias", dtype, out);
      return Ops.dense(x, kernel, bias);
    }
  }

  /** LayerNorm in the current scope: variables {@code <scope>/LayerNorm/gamma} and {@code /beta} [H]. */
  public static SDVariable layerNorm(SameDiff sd, SDVariable x, int h, double eps, DataType dtype) {
    try (NameScope s = sd.withNameScope("LayerNorm")) {
      SDVariable gamma = sd.var("gamma", dtype, h);
      SDVariable beta = sd.var("beta", dtype, h);
      return Ops.layerNorm(x, gamma, beta, eps);
    }
  }

  /** [B*T,H] -> [B,N,T,D]. */
  private static SDVariable heads(SameDiff sd, SDVariable x, SDVariable shapeBTND) {
    return sd.permute(sd.reshape(x, shapeBTND), 0, 2, 1, 3);
  }
}
