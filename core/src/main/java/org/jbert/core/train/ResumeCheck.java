package org.jbert.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jbert.core.JbertException;

/**
 * The settings that decide a run's data order and step arithmetic, recorded in every checkpoint
 * ({@code state.json}, key {@code run}) and compared on resume: a resumed run continues exactly only when its batch
 * size, accumulation, seed, shuffle, step or epoch count, data settings and data files (name, size, SHA-256) are the
 * checkpoint's. Keys are config key paths ({@code train.batch_size}, {@code data.train}, ...), values strings.
 */
public final class ResumeCheck {
  /** The key of the settings in a checkpoint's {@code state.json}. */
  public static final String STATE_KEY = "run";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Key to a String value, or to the Path of a data file whose fingerprint is taken when first needed. */
  private final Map<String, Object> settings = new LinkedHashMap<>();
  /** Key to the value its record's {@code defaults()} gives, for settings added with {@link #withSettings}. */
  private final Map<String, String> defaults = new LinkedHashMap<>();

  private ResumeCheck() {}

  /** The train section's settings: batch size, accumulation, seed, shuffle, max steps and epochs. */
  public static ResumeCheck of(TrainConfig c) {
    ResumeCheck r = new ResumeCheck();
    r.with("train.batch_size", String.valueOf(c.batchSize()));
    r.with("train.grad_accum_steps", String.valueOf(c.gradAccumSteps()));
    r.with("train.seed", String.valueOf(c.seed()));
    r.with("train.shuffle", String.valueOf(c.shuffle()));
    r.with("train.max_steps", String.valueOf(c.maxSteps()));
    r.with("train.epochs", String.valueOf(c.epochs()));
    return r;
  }

  /** Adds one setting. */
  public ResumeCheck with(String key, String value) {
    settings.put(key, value);
    return this;
  }

  /**
   * Adds a data file as its name, size and SHA-256 (the folder may change, the content may not). The file is read
   * when the settings are first needed (a resume check, the first checkpoint), so a missing file is reported by
   * whoever reads it first.
   */
  public ResumeCheck withFile(String key, Path file) {
    settings.put(key, file);
    return this;
  }

  /**
   * Adds every leaf of a config record under {@code prefix} (snake_case key paths), except the components named in
   * {@code skip} (e.g. file paths, added with {@link #withFile}). When the record has a {@code public static
   * defaults()}, its leaves are the defaults: a checkpoint written before a setting existed (an older jbert) resumes
   * when the setting is at its default, since that is what the older version did.
   */
  public ResumeCheck withSettings(String prefix, Record r, Set<String> skip) {
    leaves(prefix, r, skip, settings::put);
    Record d = defaultsOf(r);
    if (d != null) leaves(prefix, d, skip, defaults::put);
    return this;
  }

  private static void leaves(String prefix, Record r, Set<String> skip,
      java.util.function.BiConsumer<String, String> out) {
    for (var c : r.getClass().getRecordComponents()) {
      String key = prefix + "." + snake(c.getName());
      if (skip.contains(key)) continue;
      Object v;
      try {
        v = c.getAccessor().invoke(r);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(key, e);
      }
      if (v instanceof Record nested) leaves(key, nested, skip, out);
      else if (v instanceof Enum<?> e) out.accept(key, e.name().toLowerCase(Locale.ROOT));
      else out.accept(key, String.valueOf(v));
    }
  }

  /** {@code r}'s class's {@code public static defaults()}, or null when it has none. */
  private static Record defaultsOf(Record r) {
    try {
      java.lang.reflect.Method m = r.getClass().getMethod("defaults");
      if (!java.lang.reflect.Modifier.isStatic(m.getModifiers()) || m.getReturnType() != r.getClass()) return null;
      return (Record) m.invoke(null);
    } catch (NoSuchMethodException e) {
      return null;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(r.getClass() + ".defaults()", e);
    }
  }

  /** The settings in insertion order, data files as their fingerprints. */
  public synchronized Map<String, String> settings() {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : settings.entrySet()) {
      if (e.getValue() instanceof Path p) e.setValue(fingerprint(p));
      out.put(e.getKey(), (String) e.getValue());
    }
    return Collections.unmodifiableMap(out);
  }

  /** The settings as the JSON object a checkpoint stores. */
  public ObjectNode toJson() {
    ObjectNode o = JSON.createObjectNode();
    settings().forEach(o::put);
    return o;
  }

  /**
   * Refuses a checkpoint written with other settings, naming the first that differs and both values; reads only
   * {@code state.json}.
   */
  public void verify(Path checkpointDir) {
    Path state = checkpointDir.resolve(Checkpoints.STATE);
    JsonNode recorded;
    try {
      recorded = JSON.readTree(state.toFile()).path(STATE_KEY);
    } catch (IOException e) {
      throw new JbertException(state + ": not readable JSON (" + e.getMessage() + ")", e);
    }
    if (!recorded.isObject()) {
      throw new JbertException(state + ": records no run settings (\"" + STATE_KEY + "\"), so a resume cannot be"
          + " checked to continue exactly; expected a checkpoint written by this jbert version, or --overwrite");
    }
    Map<String, String> now = settings();
    for (Map.Entry<String, String> e : now.entrySet()) {
      JsonNode was = recorded.get(e.getKey());
      if (was == null && e.getValue().equals(defaults.get(e.getKey()))) continue; // newer setting, at its default
      if (was == null || !was.asText().equals(e.getValue())) {
        throw mismatch(state, e.getKey(), was == null ? "(not set)" : was.asText(), e.getValue());
      }
    }
    for (Iterator<String> it = recorded.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!now.containsKey(k)) throw mismatch(state, k, recorded.get(k).asText(), "(not set)");
    }
  }

  private static JbertException mismatch(Path state, String key, String was, String now) {
    return new JbertException(state + ": " + key + " was " + was + " when the checkpoint was written but is " + now
        + " now; expected the same to resume exactly (or --overwrite to start over)");
  }

  /** {@code maxSeqLength} to {@code max_seq_length}, as the YAML keys are named. */
  private static String snake(String camel) {
    StringBuilder b = new StringBuilder();
    for (char ch : camel.toCharArray()) {
      if (Character.isUpperCase(ch)) b.append('_').append(Character.toLowerCase(ch));
      else b.append(ch);
    }
    return b.toString();
  }

  /** {@code <name>, <size> bytes, sha256 <hex>}. */
  static String fingerprint(Path file) {
    if (!Files.isRegularFile(file)) throw new JbertException(file + ": input file not found");
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      long size = 0;
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        md.update(buf, 0, n);
        size += n;
      }
      return file.getFileName() + ", " + size + " bytes, sha256 " + HexFormat.of().formatHex(md.digest());
    } catch (IOException e) {
      throw new JbertException(file + ": cannot read (" + e.getMessage() + ")", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
