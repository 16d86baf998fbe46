package org.jbert.finetune.head;

import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import org.jbert.core.JbertException;

/**
 * The registry of task heads by {@link TaskHead#type()}: the heads listed in any
 * {@code META-INF/services/org.jbert.finetune.head.TaskHead} on the class path (the built-in ones and users'), plus
 * those registered with {@link #register}.
 */
public final class TaskHeads {
  private static final Map<String, TaskHead> HEADS = new TreeMap<>();
  private static boolean loaded;

  private TaskHeads() {}

  /** The head registered as {@code type}; a JbertException listing the known types when there is none. */
  public static synchronized TaskHead get(String type) {
    load();
    TaskHead h = HEADS.get(type);
    if (h == null) {
      throw new JbertException("unknown head type '" + type + "'; known types: " + String.join(", ", HEADS.keySet()));
    }
    return h;
  }

  /** Adds {@code head} under its type; a JbertException when another class already holds that type. */
  public static synchronized void register(TaskHead head) {
    load();
    add(head);
  }

  /** The registered types, sorted. */
  public static synchronized Set<String> types() {
    load();
    return Set.copyOf(HEADS.keySet());
  }

  /** The head whose {@link TaskHead#huggingFaceArchitecture()} is {@code architecture}, if any. */
  public static synchronized Optional<TaskHead> forHuggingFaceArchitecture(String architecture) {
    load();
    return HEADS.values().stream()
        .filter(h -> h.huggingFaceArchitecture().filter(architecture::equals).isPresent()).findFirst();
  }

  private static void add(TaskHead head) {
    String type = head.type();
    if (type == null || type.isBlank()) {
      throw new JbertException(head.getClass().getName() + ": head type is empty; expected a name such as my_head");
    }
    TaskHead old = HEADS.get(type);
    if (old != null && !old.getClass().equals(head.getClass())) {
      throw new JbertException("head type '" + type + "' is registered twice: " + old.getClass().getName() + " and "
          + head.getClass().getName());
    }
    HEADS.put(type, head);
  }

  private static void load() {
    if (loaded) return;
    loaded = true;
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    if (cl == null) cl = TaskHead.class.getClassLoader();
    for (TaskHead h : ServiceLoader.load(TaskHead.class, cl)) add(h);
  }
}
