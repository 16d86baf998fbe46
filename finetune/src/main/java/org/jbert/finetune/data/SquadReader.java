package org.jbert.finetune.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jbert.core.JbertException;

/**
 * Reads SQuAD v1.1 and v2.0 JSON: {@code data[] -> paragraphs[] -> {context, qas[] -> {id, question, answers[] ->
 * {text, answer_start}, is_impossible}}}. {@code is_impossible} (v2.0) defaults to false; the answers of an
 * impossible question are dropped ({@code plausible_answers} is ignored).
 *
 * <p>Every answer is checked exactly, {@code context[answer_start : answer_start + len(text)] == text} in code points
 * (Python string semantics): no whitespace normalisation, so a shifted offset is an error that names the file, the
 * question id, the offset and both texts, rather than a silently wrong training span.
 */
public final class SquadReader {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SquadReader() {}

  /** Every question in {@code file}, in file order. */
  public static List<QaExample> read(Path file) {
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      throw new JbertException(file + ": not valid JSON (" + e.getOriginalMessage() + " at line "
          + e.getLocation().getLineNr() + ")");
    } catch (NoSuchFileException | java.io.FileNotFoundException e) {
      throw new JbertException(file + ": input file not found");
    } catch (IOException e) {
      throw new JbertException(file + ": cannot read input file (" + e.getMessage() + ")", e);
    }
    if (root == null || !root.isObject()) throw new JbertException(file + ": expected a JSON object with \"data\"");
    JsonNode data = array(root, "data", file + ": top level");
    List<QaExample> out = new ArrayList<>();
    for (int i = 0; i < data.size(); i++) {
      String at = file + ": data[" + i + "]";
      JsonNode paragraphs = array(data.get(i), "paragraphs", at);
      for (int j = 0; j < paragraphs.size(); j++) {
        String pAt = at + ".paragraphs[" + j + "]";
        JsonNode p = paragraphs.get(j);
        String context = text(p, "context", pAt);
        JsonNode qas = array(p, "qas", pAt);
        for (int k = 0; k < qas.size(); k++) {
          out.add(question(file, context, qas.get(k), pAt + ".qas[" + k + "]"));
        }
      }
    }
    return out;
  }

  private static QaExample question(Path file, String context, JsonNode qa, String at) {
    JsonNode idNode = qa == null ? null : qa.get("id");
    if (idNode == null || !(idNode.isTextual() || idNode.isNumber())) {
      throw new JbertException(at + ": missing \"id\" (a string)");
    }
    String id = idNode.asText();
    String where = file + ": question " + id;
    String question = text(qa, "question", where);
    JsonNode imp = qa.get("is_impossible");
    if (imp != null && !imp.isNull() && !imp.isBoolean()) {
      throw new JbertException(where + ": \"is_impossible\" is " + imp + "; expected true or false");
    }
    boolean impossible = imp != null && imp.asBoolean(false);
    List<QaExample.Answer> answers = new ArrayList<>();
    if (!impossible) {
      JsonNode list = array(qa, "answers", where);
      int contextLength = context.codePointCount(0, context.length());
      for (int a = 0; a < list.size(); a++) {
        JsonNode ans = list.get(a);
        String aAt = where + ": answers[" + a + "]";
        String text = text(ans, "text", aAt);
        JsonNode s = ans.get("answer_start");
        if (s == null || !s.isIntegralNumber() || !s.canConvertToInt()) {
          throw new JbertException(aAt + ": \"answer_start\" is " + s + "; expected an integer");
        }
        int start = s.intValue();
        int end = start + text.codePointCount(0, text.length());
        String found = start < 0 || start > contextLength ? ""
            : substring(context, start, Math.min(end, contextLength));
        if (start < 0 || end > contextLength || !found.equals(text)) {
          throw new JbertException(where + ": answer text " + quote(text) + " is not at answer_start " + start
              + "; the context there (" + contextLength + " code points long) reads " + quote(found));
        }
        answers.add(new QaExample.Answer(text, start, end));
      }
    }
    return new QaExample(where, id, question, context, answers, impossible);
  }

  /** {@code s[start, end)} in code points. */
  static String substring(String s, int start, int end) {
    int from = s.offsetByCodePoints(0, start);
    return s.substring(from, s.offsetByCodePoints(from, end - start));
  }

  private static JsonNode array(JsonNode n, String key, String at) {
    JsonNode v = n == null ? null : n.get(key);
    if (v == null || !v.isArray()) {
      throw new JbertException(at + ": \"" + key + "\" is " + (v == null ? "missing" : abbreviate(v))
          + "; expected a list");
    }
    return v;
  }

  private static String text(JsonNode n, String key, String at) {
    JsonNode v = n == null ? null : n.get(key);
    if (v == null || !v.isTextual()) {
      throw new JbertException(at + ": \"" + key + "\" is " + (v == null ? "missing" : abbreviate(v))
          + "; expected a string");
    }
    return v.asText();
  }

  private static String quote(String s) {
    String q = s.replace("\n", "\\n");
    return "\"" + (q.length() <= 80 ? q : q.substring(0, 80) + "...") + "\"";
  }

  private static String abbreviate(JsonNode n) {
    String s = n.toString();
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
