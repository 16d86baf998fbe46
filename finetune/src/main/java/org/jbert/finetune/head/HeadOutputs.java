package org.jbert.finetune.head;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jbert.core.JbertException;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The output variables of a built head, by contract name, and the context it was built with.
 *
 * @param outputs name -> variable, in the head's order; classification and tagging give {@value #LOGITS} ([B,C] or
 *     [B,T,C]), QA gives {@value #START_LOGITS} and {@value #END_LOGITS} [B,T]
 * @param context the context the head was built with (the loss reads e.g. the problem type from it)
 */
public record HeadOutputs(Map<String, SDVariable> outputs, HeadContext context) {
  /** Classification logits [B,C] and tagging logits [B,T,C]. */
  public static final String LOGITS = "logits";
  /** QA span-start logits [B,T]. */
  public static final String START_LOGITS = "start_logits";
  /** QA span-end logits [B,T]. */
  public static final String END_LOGITS = "end_logits";

  public HeadOutputs {
    if (outputs.isEmpty()) throw new JbertException("a head must produce at least one output");
    outputs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
  }

  /** A single-output head ({@value #LOGITS}). */
  public static HeadOutputs logits(SDVariable logits, HeadContext ctx) {
    return new HeadOutputs(Map.of(LOGITS, logits), ctx);
  }

  /** The output called {@code name}. */
  public SDVariable get(String name) {
    SDVariable v = outputs.get(name);
    if (v == null) throw new JbertException("head has no output '" + name + "'; it has " + outputs.keySet());
    return v;
  }
}
