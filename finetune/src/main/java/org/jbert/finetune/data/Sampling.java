package org.jbert.finetune.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jbert.core.JbertException;
import org.jbert.core.train.Rng;

/** Seeded subsets of a data set. */
public final class Sampling {
  private Sampling() {}

  /**
   * {@code n} items drawn uniformly at random without replacement (the first {@code n} of a seeded permutation, see
   * {@link Rng#permutation}), returned in their original order; all of {@code items} when {@code n >= size}. Files
   * sorted by id or by label (the SpamAssassin splits list every ham before any spam) thus keep every label in
   * proportion, where the first {@code n} rows would not.
   */
  public static <T> List<T> sample(List<T> items, int n, long seed) {
    if (n < 0) throw new JbertException("sample size " + n + " is negative; expected >= 0");
    if (n >= items.size()) return items;
    int[] chosen = Arrays.copyOf(new Rng(seed).permutation(items.size()), n);
    Arrays.sort(chosen);
    List<T> out = new ArrayList<>(n);
    for (int i : chosen) out.add(items.get(i));
    return out;
  }
}
