package org.jbert.core.io;

import java.nio.file.Path;

/**
 * The one jbert cache folder: {@code -Djbert.cache}, else {@code $JBERT_CACHE}, else {@code ~/.cache/jbert}. Models
 * are unpacked under {@code models/}, data sets fetched under {@code data/}.
 */
public final class JbertCache {
  private JbertCache() {}

  /** The cache root. */
  public static Path root() {
    String p = System.getProperty("jbert.cache");
    if (p == null || p.isBlank()) p = System.getenv("JBERT_CACHE");
    if (p != null && !p.isBlank()) return Path.of(p);
    return Path.of(System.getProperty("user.home"), ".cache", "jbert");
  }

  /** Where named pretrained models are unpacked: {@code <root>/models}. */
  public static Path models() {
    return root().resolve("models");
  }

  /** Where public data sets are fetched: {@code <root>/data}. */
  public static Path data() {
    return root().resolve("data");
  }
}
