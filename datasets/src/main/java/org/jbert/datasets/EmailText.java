package org.jbert.datasets;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;

/**
 * The readable text of a raw email, as a mail client shows it: MIME parts walked, transfer encodings undone, HTML
 * turned into its text. This is pre-processing, apart from the model: a classifier trained on {@link Mode#PLAIN}
 * text must be given the same text of the emails it predicts ({@link #of(Mode, String)} on the raw message).
 *
 * <ul>
 *   <li><b>Headers</b> are dropped except {@code Subject}, which comes first (unfolded, RFC 2047 words decoded),
 *       then a blank line, then the body text; the body text alone when there is no subject.
 *   <li><b>MIME.</b> {@code multipart/alternative}: the last part with text (RFC 2046's order of preference ends
 *       with the richest) unless a {@code text/plain} part is there, which is taken (it is what the sender wrote);
 *       other {@code multipart/*}: the text of every part, in order, separated by blank lines; {@code message/rfc822}:
 *       the enclosed message, as above; {@code text/plain} and {@code text/html}: their text; anything else
 *       (images, attachments) is left out; other {@code text/*} types are read as plain text. A part with no
 *       {@code Content-Type}, or one whose type cannot be read, is {@code text/plain}, except that a body with no
 *       {@code Content-Type} that opens with a delimiter ({@code --X} as its first or second non-blank line, a
 *       part's header block with a {@code Content-Type} after it) is read as {@code multipart/mixed} with boundary X
 *       (as some spam is sent: the top-level headers lost); when its parts hold no text, the body as it is.
 *   <li><b>Transfer encodings</b> {@code base64} and {@code quoted-printable} are decoded with the part's
 *       {@code charset} (ISO-8859-1 when absent or unknown); other parts are kept as the message has them.
 *   <li><b>HTML</b> ({@code text/html}, or a text part that starts with an HTML tag, after white space and
 *       comments, as much spam is sent) becomes its visible text with jsoup ({@code <script>} and {@code <style>}
 *       dropped, whitespace collapsed).
 *   <li>A multipart whose boundary never occurs is split at the delimiter the body opens with, as above (one spam
 *       declares {@code =Multipart Boundary N} and writes {@code --= Multipart Boundary N}); with none, it is read as
 *       one {@code text/plain} body.
 * </ul>
 */
public final class EmailText {
  /** What a classifier reads of an email. */
  public enum Mode {
    /** Subject and the body as the message has it (MIME boundaries, HTML, quoted-printable and base64 included). */
    RAW,
    /** Subject and the body's readable text (see the class comment). */
    PLAIN;

    /** The mode named {@code value} ({@code raw} or {@code plain}); {@code what} names the setting in the error. */
    public static Mode parse(String value, String what) {
      for (Mode m : values()) {
        if (m.name().equalsIgnoreCase(value == null ? "" : value.strip())) return m;
      }
      throw new org.jbert.core.JbertException(what + " is " + value + "; expected raw or plain");
    }
  }

  private static final Pattern PARAM =
      Pattern.compile(";\\s*([A-Za-z0-9_.*-]+)\\s*=\\s*(?:\"([^\"]*)\"|([^;\\s]+))");
  /** HTML from its first tag, after white space and whole comments; {@code <x-html>} is Eudora's wrapper. */
  private static final Pattern HTML_START = Pattern.compile("\\A\\s*(?:<!--(?:(?!-->).)*-->\\s*)*+(?:<!DOCTYPE html"
      + "|<html|<head|<body|<table|<div|<font|<p\\b|<center|<br|<a\\s|<x-html>|<meta\\s)",
      Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
  private static final Pattern HEADER_LINE = Pattern.compile("[!-9;-~]+:.*");
  private static final Pattern MIME_TYPE = Pattern.compile("\\A\\s*([A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+)");
  private static final int MAX_DEPTH = 8;

  private EmailText() {}

  /** The text of the raw message {@code raw} (headers, blank line, body) in {@code mode}. */
  public static String of(Mode mode, String raw) {
    String subject = SpamAssassinSplits.subject(raw);
    String body = mode == Mode.RAW ? body(raw) : plainBody(raw);
    return subject.isEmpty() ? body : subject + "\n\n" + body;
  }

  /** The readable text of the raw message's body (see the class comment); headers and subject left out. */
  public static String plainBody(String raw) {
    String t = raw.replace("\r\n", "\n");
    return part(headers(t), body(t), 0).strip();
  }

  /** Everything after the first blank line; the whole text when there is none. */
  static String body(String message) {
    int i = message.indexOf("\n\n");
    return i < 0 ? message : message.substring(i + 2);
  }

  /** The header block before the first blank line (empty when the message has none). */
  static String headers(String message) {
    int i = message.indexOf("\n\n");
    return i < 0 ? "" : message.substring(0, i);
  }

  private static String part(String headers, String body, int depth) {
    String type = header(headers, "Content-Type");
    Matcher mt = MIME_TYPE.matcher(type);
    String mime = null; // null: no Content-Type at all
    if (mt.find()) {
      mime = mt.group(1).toLowerCase(Locale.ROOT);
    } else if (!type.isBlank()) {
      mime = "text/plain";
    }
    if ((mime == null || mime.startsWith("multipart/")) && depth < MAX_DEPTH) {
      String boundary = mime == null ? null : param(type, "boundary");
      List<String[]> parts = boundary == null ? List.of() : split(body, boundary);
      if (parts.isEmpty()) {
        // no Content-Type, or a boundary that never occurs: the delimiter the body opens with, if any
        String implied = impliedBoundary(body);
        if (implied != null) parts = split(body, implied);
      }
      if (parts.isEmpty()) return leaf("text/plain", mime == null ? headers : "", body);
      if (mime == null) {
        String text = multipart("multipart/mixed", parts, depth);
        return text.isBlank() ? leaf("text/plain", headers, body) : text;
      }
      return multipart(mime, parts, depth);
    }
    if (mime == null) mime = "text/plain";
    if (mime.equals("message/rfc822") && depth < MAX_DEPTH) {
      String inner = body.replace("\r\n", "\n");
      String sub = SpamAssassinSplits.subject(inner);
      String text = part(headers(inner), body(inner), depth + 1).strip();
      return sub.isEmpty() ? text : sub + "\n\n" + text;
    }
    if (mime.startsWith("text/")) {
      return leaf(mime, headers, body);
    }
    return "";
  }

  /** The text of a multipart of type {@code mime} from its {@code parts} ({headers, body} each). */
  private static String multipart(String mime, List<String[]> parts, int depth) {
    if (mime.equals("multipart/alternative")) {
      String chosen = "";
      for (String[] p : parts) {
        String text = part(p[0], p[1], depth + 1);
        if (text.isBlank()) continue;
        String pm = header(p[0], "Content-Type");
        boolean plain = pm.isEmpty() || pm.strip().toLowerCase(Locale.ROOT).startsWith("text/plain");
        if (plain) return text;
        chosen = text;
      }
      return chosen;
    }
    StringBuilder out = new StringBuilder();
    for (String[] p : parts) {
      String text = part(p[0], p[1], depth + 1).strip();
      if (text.isEmpty()) continue;
      if (out.length() > 0) out.append("\n\n");
      out.append(text);
    }
    return out.toString();
  }

  /**
   * The boundary X of a body whose first or second non-blank line is a delimiter {@code --X} followed by a part's
   * header block with a {@code Content-Type}; null otherwise. Only the opening lines are read: a message quoting a
   * MIME source further down (a list post about MIME) is not split.
   */
  static String impliedBoundary(String body) {
    String[] lines = body.split("\n", -1);
    int nonBlank = 0;
    for (int i = 0; i < lines.length && nonBlank < 2; i++) {
      String l = lines[i].stripTrailing();
      if (l.isBlank()) continue;
      nonBlank++;
      if (l.length() > 2 && l.startsWith("--") && !Character.isWhitespace(l.charAt(2))
          && contentTypeFollows(lines, i + 1)) {
        return l.substring(2);
      }
    }
    return null;
  }

  /** Whether the header block starting at line {@code from} (up to a blank line) has a Content-Type. */
  private static boolean contentTypeFollows(String[] lines, int from) {
    for (int i = from; i < lines.length && !lines[i].isBlank(); i++) {
      String l = lines[i];
      if (l.regionMatches(true, 0, "Content-Type:", 0, "Content-Type:".length())) return true;
      boolean continuation = l.charAt(0) == ' ' || l.charAt(0) == '\t';
      if (!continuation && !HEADER_LINE.matcher(l).matches()) return false;
    }
    return false;
  }

  private static String leaf(String mime, String headers, String body) {
    String encoding = header(headers, "Content-Transfer-Encoding").strip().toLowerCase(Locale.ROOT);
    String charsetName = param(header(headers, "Content-Type"), "charset");
    String text = switch (encoding) {
      case "base64" -> new String(Base64.getMimeDecoder().decode(base64Chars(body)), charset(charsetName));
      case "quoted-printable" -> new String(quotedPrintable(body), charset(charsetName));
      default -> body;
    };
    boolean html = mime.equals("text/html") || HTML_START.matcher(text).find();
    return html ? Jsoup.parse(text).text() : text;
  }

  /** The parts of a multipart body, each {headers, body}; the preamble and the epilogue are left out. */
  private static List<String[]> split(String body, String boundary) {
    String delimiter = "--" + boundary;
    List<String[]> parts = new ArrayList<>();
    StringBuilder current = null;
    for (String line : body.split("\n", -1)) {
      String l = line.stripTrailing();
      if (l.equals(delimiter + "--")) {
        if (current != null) parts.add(headersAndBody(current.toString()));
        return parts;
      }
      if (l.equals(delimiter)) {
        if (current != null) parts.add(headersAndBody(current.toString()));
        current = new StringBuilder();
        continue;
      }
      if (current != null) current.append(line).append('\n');
    }
    if (current != null) parts.add(headersAndBody(current.toString())); // no closing delimiter
    return parts;
  }

  private static String[] headersAndBody(String part) {
    if (part.startsWith("\n")) return new String[] {"", part.substring(1)}; // no headers: text/plain
    int i = part.indexOf("\n\n");
    return i < 0 ? new String[] {part, ""} : new String[] {part.substring(0, i), part.substring(i + 2)};
  }

  /** The value of the first header {@code name} (case-insensitive, unfolded); empty when absent. */
  static String header(String headers, String name) {
    String[] lines = headers.split("\n");
    for (int i = 0; i < lines.length; i++) {
      String l = lines[i];
      if (l.length() > name.length() && l.charAt(name.length()) == ':'
          && l.regionMatches(true, 0, name, 0, name.length())) {
        StringBuilder v = new StringBuilder(l.substring(name.length() + 1).strip());
        while (i + 1 < lines.length && !lines[i + 1].isEmpty()
            && (lines[i + 1].charAt(0) == ' ' || lines[i + 1].charAt(0) == '\t')) {
          v.append(' ').append(lines[++i].strip());
        }
        return v.toString();
      }
    }
    return "";
  }

  /** The parameter {@code name} of a header value such as {@code text/plain; charset="utf-8"}, or null. */
  static String param(String value, String name) {
    Matcher m = PARAM.matcher(value);
    while (m.find()) {
      if (m.group(1).equalsIgnoreCase(name)) return m.group(2) != null ? m.group(2) : m.group(3);
    }
    return null;
  }

  private static Charset charset(String name) {
    if (name == null) return StandardCharsets.ISO_8859_1;
    try {
      return Charset.forName(name.strip());
    } catch (IllegalArgumentException e) {
      return StandardCharsets.ISO_8859_1;
    }
  }

  /** The base64 alphabet characters of {@code s} (the MIME decoder skips others, but fails on a stray '=' run). */
  private static String base64Chars(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/') {
        b.append(c);
      }
    }
    int pad = (4 - b.length() % 4) % 4;
    if (pad == 3) b.setLength(b.length() - 1); // a lone trailing character carries no whole byte
    else b.append("=".repeat(pad));
    return b.toString();
  }

  /**
   * RFC 2045 quoted-printable: {@code =XY} is the byte 0xXY, {@code =} at a line end is a soft break; characters
   * above 0xFF (the corpus text is already decoded) are kept as UTF-8 bytes.
   */
  static byte[] quotedPrintable(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '=') {
        int end = i + 1;
        while (end < s.length() && (s.charAt(end) == ' ' || s.charAt(end) == '\t')) end++;
        if (end < s.length() && s.charAt(end) == '\n') { // soft line break
          i = end;
          continue;
        }
        if (i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
          out.write(hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
          i += 2;
          continue;
        }
        out.write('=');
      } else if (c <= 0xFF) {
        out.write(c);
      } else {
        int cp = s.codePointAt(i);
        byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
        i += Character.charCount(cp) - 1;
      }
    }
    return out.toByteArray();
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  }
}
