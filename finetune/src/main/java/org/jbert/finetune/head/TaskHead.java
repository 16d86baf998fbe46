package org.jbert.finetune.head;

import java.util.List;
import java.util.Optional;
import org.jbert.core.graph.EncoderOutputs;
import org.jbert.core.weights.CheckpointNames;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * A task head: ops and variables on top of the encoder that turn its outputs into task outputs (logits) and a loss.
 * Built-in heads and users' custom heads implement this one interface; {@link TaskHeads} finds them by
 * {@link #type()} ({@code head.type} in a run config), through {@link java.util.ServiceLoader} (a line in
 * {@code META-INF/services/org.jbert.finetune.head.TaskHead}) or {@link TaskHeads#register}.
 *
 * <p>Implementations are stateless (everything a build needs is in {@link HeadContext}) and need a public no-argument
 * constructor for the ServiceLoader. They create their variables inside {@link #scope()} (a SameDiff name scope) and
 * declare every one of them in {@link #weights}, so that import, save, export and initialization know them. Graph
 * ops come from {@link org.jbert.core.graph.Ops} and {@link Losses}.
 */
public interface TaskHead {

  /** The registry name, e.g. {@code sequence_classification}; lower case, unique. */
  String type();

  /**
   * The SameDiff name scope of the head's variables, e.g. {@code cls/squad}. The empty string is the root scope,
   * where google-research/bert's run_classifier.py puts {@code output_weights} and {@code output_bias}.
   */
  String scope();

  /** The table entries (canonical and Hugging Face names, shapes) of every variable {@link #build} creates. */
  List<CheckpointNames> weights(HeadContext ctx);

  /** The label placeholders {@link #loss} needs, e.g. {@code labels} int32 [B]. */
  List<Labels.Spec> labels(HeadContext ctx);

  /**
   * Adds the head's variables and ops to {@code sd} on top of the encoder {@code enc}. Output variables are named
   * after the output contract ({@link HeadOutputs#LOGITS}, or {@link HeadOutputs#START_LOGITS} and
   * {@link HeadOutputs#END_LOGITS}). Dropout goes through {@link HeadContext#dropout}.
   */
  HeadOutputs build(SameDiff sd, EncoderOutputs enc, HeadContext ctx);

  /** The scalar training loss from the head's outputs and the label placeholders (declared by {@link #labels}). */
  SDVariable loss(SameDiff sd, HeadOutputs out, Labels labels);

  /**
   * Checks the values of one label array before it is fed (e.g. class ids in [0,C)); throws a JbertException naming
   * the array, the position and the value. The default accepts anything.
   *
   * @param name the placeholder name
   * @param labels the array, shaped as {@link #labels} declares
   */
  default void checkLabels(String name, org.nd4j.linalg.api.ndarray.INDArray labels, HeadContext ctx) {}

  /** True when {@link #build} uses the pooled output (then the encoder is built with its pooler). */
  default boolean usesPooler() {
    return false;
  }

  /**
   * The Hugging Face {@code architectures} entry of a model with this head (e.g.
   * {@code BertForSequenceClassification}), when transformers has one; used for import and export.
   */
  default Optional<String> huggingFaceArchitecture() {
    return Optional.empty();
  }
}
