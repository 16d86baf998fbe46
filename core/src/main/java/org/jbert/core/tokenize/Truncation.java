package org.jbert.core.tokenize;

import org.jbert.core.JbertException;

/**
 * Which word pieces of a single text longer than its room (T - 2, beside [CLS] and [SEP]) are kept.
 * {@link Mode#HEAD}: the first ones, as Hugging Face and google-research/bert cut. {@link Mode#HEAD_TAIL}: the first
 * {@code headTokens} and the last {@code room - headTokens} ("head+tail" of Sun et al. 2019, How to Fine-Tune BERT
 * for Text Classification, where it beat head-only on long reviews): for an email, its subject and opening and its
 * sign-off, where spam puts the unsubscribe line. A text that fits is kept whole either way; text pairs are always cut
 * by HF's longest_first from the right.
 *
 * @param mode which pieces
 * @param headTokens pieces kept from the start with {@link Mode#HEAD_TAIL} (0: only the end); 0 with HEAD
 */
public record Truncation(Mode mode, int headTokens) {
  /** The cuts. */
  public enum Mode {
    HEAD,
    HEAD_TAIL;

    /** The name in run files and on the command line. */
    public String yamlName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The first pieces (the default everywhere). */
  public static final Truncation HEAD = new Truncation(Mode.HEAD, 0);

  public Truncation {
    check(mode, headTokens, "");
  }

  /**
   * Validates a run file's settings, naming its keys with {@code prefix} ({@code data.}): {@code truncation} set,
   * {@code head_tokens} >= 0, and 0 with {@code head}.
   *
   * @return the truncation they describe
   */
  public static Truncation of(Mode mode, int headTokens, String prefix) {
    check(mode, headTokens, prefix);
    return new Truncation(mode, headTokens);
  }

  private static void check(Mode mode, int headTokens, String prefix) {
    if (mode == null) throw new JbertException(prefix + "truncation is null; expected head or head_tail");
    if (headTokens < 0) throw new JbertException(prefix + "head_tokens is " + headTokens + "; expected >= 0");
    if (mode == Mode.HEAD && headTokens != 0) {
      throw new JbertException(prefix + "head_tokens is " + headTokens + " but " + prefix + "truncation is head;"
          + " expected " + prefix + "truncation head_tail to keep a head and a tail (or head_tokens 0)");
    }
  }

  /**
   * Parses a command line's or a Spark stage's settings, naming them in messages as the caller does
   * ({@code --truncation}, {@code --head-tokens}, {@code --max-length}): {@code mode} head or head_tail,
   * {@code headTokens} >= 0, 0 with head, at most {@code seqLength} - 2.
   */
  public static Truncation parse(String mode, int headTokens, int seqLength, String modeKey, String headKey,
      String lengthKey) {
    Mode m = switch (mode) {
      case "head" -> Mode.HEAD;
      case "head_tail" -> Mode.HEAD_TAIL;
      default -> throw new JbertException(modeKey + " " + mode + "; expected head or head_tail");
    };
    if (headTokens < 0) throw new JbertException(headKey + " " + headTokens + "; expected >= 0");
    if (m == Mode.HEAD && headTokens != 0) {
      throw new JbertException(headKey + " " + headTokens + " needs " + modeKey + " head_tail");
    }
    if (headTokens > seqLength - 2) {
      throw new JbertException(headKey + " " + headTokens + "; expected at most " + lengthKey + " - 2 = "
          + (seqLength - 2));
    }
    return new Truncation(m, headTokens);
  }

  /** The first {@code headTokens} pieces and the last ones. */
  public static Truncation headTail(int headTokens) {
    return new Truncation(Mode.HEAD_TAIL, headTokens);
  }

  /**
   * Fails unless the head fits sequences of {@code seqLength} (T): at most T - 2 pieces. {@code key} names the setting
   * in the message ({@code data.head_tokens}).
   */
  public Truncation checkFor(int seqLength, String key) {
    if (mode == Mode.HEAD_TAIL && headTokens > seqLength - 2) {
      throw new JbertException(key + " is " + headTokens + "; expected at most max_seq_length - 2 = "
          + (seqLength - 2) + " (the room beside [CLS] and [SEP])");
    }
    return this;
  }

  /**
   * How many of {@code n} pieces are kept from the start and from the end within {@code room}: {head, tail}, the
   * kept pieces being {@code [0, head)} and {@code [n - tail, n)}. A text that fits keeps {@code {n, 0}}.
   */
  public int[] keep(int n, int room) {
    if (n <= room) return new int[] {n, 0};
    if (mode == Mode.HEAD) return new int[] {room, 0};
    int head = Math.min(headTokens, room);
    return new int[] {head, room - head};
  }

  /** {@code head} or {@code head_tail (63 head tokens)}, for reports. */
  @Override
  public String toString() {
    return mode == Mode.HEAD ? "head" : "head_tail (" + headTokens + " head tokens)";
  }
}
