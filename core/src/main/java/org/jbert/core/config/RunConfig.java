package org.jbert.core.config;

import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * A run file whose {@code task} key picks its record: {@code task: pretrain} a pretraining run, {@code task: finetune}
 * a fine-tuning run. Each implementation is a record named by {@code @JsonTypeName} (its task) and annotated
 * {@code @JsonTypeInfo(use = NONE)}, so that it also binds on its own; an application lists the tasks it runs with
 * {@link ConfigMapper#withSubtypes} and binds this type, and an unknown or missing task names the allowed ones.
 *
 * <p>Not {@code sealed}: the run records live in the modules that run them (pretraining, finetune), and a sealed
 * type's subclasses must share its package outside named modules (JLS 8.1.1.2).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.EXISTING_PROPERTY, property = RunConfig.TASK_KEY,
    visible = true)
public interface RunConfig {
  /** The key that names the task. */
  String TASK_KEY = "task";

  /** The task this run file names ({@code pretrain}, {@code finetune}). */
  String task();
}
