package org.jbert.core.weights;

import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.jbert.core.JbertException;
import org.jbert.core.config.BertConfig;

/**
 * A {@link WeightSource} over a {@link TensorBundle}: the shared part of {@link TfCheckpointSource} and
 * {@link SavedModelSource}. Stored names are mapped to canonical names by a function from {@link CheckpointNames};
 * a canonical name is recognized when the name table for the config lists it.
 */
abstract class BundleWeightSource implements WeightSource {

  private final TensorBundle bundle;
  private final String description;
  private final BertConfig config;
  private final Path vocab;
  /** canonical -> stored name, in name-table order. */
  private final Map<String, String> stored;
  private final Set<String> unrecognized;

  BundleWeightSource(TensorBundle bundle, String description, BertConfig config, Path vocab,
      Function<String, Optional<String>> toCanonical) {
    this.bundle = bundle;
    this.description = description;
    this.config = config;
    this.vocab = vocab;
    Set<String> known = new HashSet<>();
    for (CheckpointNames e : CheckpointNames.forConfig(config, CheckpointNames.Part.values())) known.add(e.canonical());
    Map<String, String> canonicalToStored = new LinkedHashMap<>();
    Set<String> unknown = new TreeSet<>();
    for (String name : bundle.entries().keySet()) {
      Optional<String> canonical = toCanonical.apply(name);
      if (canonical.isPresent() && CheckpointNames.isOptimizerState(canonical.get())) continue;
      if (canonical.isPresent() && known.contains(canonical.get())) canonicalToStored.put(canonical.get(), name);
      else unknown.add(name);
    }
    Map<String, String> ordered = new LinkedHashMap<>();
    for (CheckpointNames e : CheckpointNames.forConfig(config, CheckpointNames.Part.values())) {
      String s = canonicalToStored.get(e.canonical());
      if (s != null) ordered.put(e.canonical(), s);
    }
    this.stored = Collections.unmodifiableMap(ordered);
    this.unrecognized = Collections.unmodifiableSet(unknown);
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public Set<String> names() {
    return Collections.unmodifiableSet(new LinkedHashSet<>(stored.keySet()));
  }

  @Override
  public Set<String> unrecognized() {
    return unrecognized;
  }

  @Override
  public long[] shape(String name) {
    return bundle.shape(storedName(name));
  }

  @Override
  public float[] read(String name) {
    return bundle.readFloats(storedName(name));
  }

  @Override
  public Optional<BertConfig> config() {
    return Optional.of(config);
  }

  @Override
  public Optional<Path> vocab() {
    return Optional.ofNullable(vocab);
  }

  @Override
  public void close() {
    bundle.close();
  }

  /** The underlying bundle (stored names, dtypes, raw entries). */
  public TensorBundle bundle() {
    return bundle;
  }

  private String storedName(String canonical) {
    String s = stored.get(canonical);
    if (s == null) {
      throw new JbertException(description + ": no weight named " + canonical + " (it holds " + stored.size()
          + " recognized weights)");
    }
    return s;
  }
}
