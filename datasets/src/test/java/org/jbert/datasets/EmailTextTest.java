package org.jbert.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.jbert.datasets.EmailText.Mode;
import org.junit.jupiter.api.Test;

/** {@link EmailText} on hand-written messages: one rule of the class comment each. */
class EmailTextTest {
  private static String b64(String s, java.nio.charset.Charset cs) {
    return Base64.getMimeEncoder(20, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(s.getBytes(cs));
  }

  @Test
  void rawModeKeepsTheBodyAsTheMessageHasIt() {
    String raw = "From: a@b\nSubject: Hi =?utf-8?Q?th=C3=A9re?=\nContent-Type: text/html\n\n<p>x=3Dy</p>\n";
    assertEquals("Hi thére\n\n<p>x=3Dy</p>\n", EmailText.of(Mode.RAW, raw));
    assertEquals("Hi thére\n\nx=3Dy", EmailText.of(Mode.PLAIN, raw));
    assertEquals("just a body", EmailText.of(Mode.PLAIN, "From: a@b\n\njust a body\n"), "no subject: body alone");
  }

  @Test
  void alternativeTakesThePlainPartAndDecodesItsTransferEncoding() {
    String raw = """
        Subject: offer
        MIME-Version: 1.0
        Content-Type: multipart/alternative;
        \tboundary="XX"

        This is a multi-part message in MIME format.

        --XX
        Content-Type: text/html; charset=utf-8
        Content-Transfer-Encoding: base64

        %s
        --XX
        Content-Type: text/plain; charset="iso-8859-1"
        Content-Transfer-Encoding: quoted-printable

        Caf=E9 cr=E8me, a soft=
         break.
        --XX--
        epilogue
        """.formatted(b64("<b>HTML part</b>", StandardCharsets.UTF_8));
    assertEquals("offer\n\nCafé crème, a soft break.", EmailText.of(Mode.PLAIN, raw));
  }

  @Test
  void alternativeWithoutAPlainPartTakesTheHtmlText() {
    String raw = """
        Content-Type: multipart/alternative; boundary=B

        --B
        Content-Type: text/html; charset=utf-8
        Content-Transfer-Encoding: base64

        %s
        --B--
        """.formatted(b64("<html><head><style>p{}</style><script>var x=1;</script></head>"
            + "<body><p>Gro&szlig;e   Preise</p><a href='http://x'>click</a></body></html>", StandardCharsets.UTF_8));
    assertEquals("Große Preise click", EmailText.plainBody(raw));
  }

  @Test
  void mixedKeepsEveryTextPartInOrderAndLeavesAttachmentsOut() {
    String raw = """
        Content-Type: multipart/mixed; boundary="outer"

        --outer
        Content-Type: multipart/alternative; boundary="inner"

        --inner
        Content-Type: text/plain

        first
        --inner--

        --outer
        Content-Type: application/octet-stream; name="a.exe"
        Content-Transfer-Encoding: base64

        TVqQAAMAAAAEAAAA
        --outer
        Content-Type: message/rfc822

        Subject: forwarded
        Content-Type: text/plain

        second
        --outer
        Content-Type: image/gif

        GIF89a
        --outer--
        """;
    assertEquals("first\n\nforwarded\n\nsecond", EmailText.plainBody(raw));
  }

  @Test
  void looseHeadersAndMissingBoundariesStillGiveText() {
    // Content-Type without its semicolon (as spam-2/00204 has it), charset left unread: the body as it is
    assertEquals("hello", EmailText.plainBody("Content-Type: TEXT/PLAIN charset=US-ASCII\n\nhello\n"));
    // HTML sent as text/plain (or with no Content-Type at all) is still turned into its text
    assertEquals("Buy now", EmailText.plainBody("Subject: x\n\n  <HTML><BODY><font size=3D2>Buy now</font>"));
    // a multipart whose boundary never occurs: the body as text/plain
    assertEquals("no parts here", EmailText.plainBody("Content-Type: multipart/mixed; boundary=Q\n\nno parts here"));
    // no closing delimiter: the last part runs to the end
    assertEquals("tail", EmailText.plainBody("Content-Type: multipart/mixed; boundary=Q\n\n--Q\n\ntail\n"));
    // an unknown charset falls back to ISO-8859-1
    assertEquals("\u00e9", EmailText.plainBody(
        "Content-Type: text/plain; charset=x-nonesuch\nContent-Transfer-Encoding: quoted-printable\n\n=E9"));
    // CRLF line ends read as LF
    assertEquals("crlf body", EmailText.plainBody("Subject: s\r\nX: y\r\n\r\ncrlf body\r\n"));
  }

  @Test
  void htmlAfterCommentsAndMultipartsWithLostHeadersAreRead() {
    // HTML after a comment (spam-2/00774's text/plain part, quoted-printable) and Eudora's <x-html> wrapper
    assertEquals("Leaders wanted", EmailText.plainBody("Content-Type: text/plain\nContent-Transfer-Encoding: "
        + "quoted-printable\n\n<!-- saved from url=3D(0022)http://x -->\n=\n\n<html xmlns:o=3D\"urn:o\">\n<head>"
        + "<meta http-equiv=3DContent-Type content=3D\"text/html\"></head><body><p>Leaders wanted</p></body></html>"));
    assertEquals("Drive safe", EmailText.plainBody("Subject: s\n\n<x-html>\n<html><body>Drive <b>safe</b>"));
    // no Content-Type at all, the body still in parts (spam-2/00028): split at the delimiter that a part's headers
    // follow; the preamble and the image part are left out
    assertEquals("issue 422\n\nsecond part", EmailText.plainBody("From: a\n\nignored preamble\n--123.Java\n"
        + "Content-Type: text/plain; charset=iso-8859-1\n\nissue 422\n--123.Java\nContent-Type: text/html\n\n"
        + "<p>second part</p>\n--123.Java\nContent-Type: image/gif\n\nR0lGOD\n--123.Java--\n"));
    // a declared boundary that never occurs, the body's delimiter with a space more (spam-1/00467)
    assertEquals("Hello", EmailText.plainBody("Content-Type: multipart/alternative; boundary=\"=B 09\"\n\n"
        + "This is a multipart MIME message.\n\n--= B 09\nContent-Type: text/plain;\n\tcharset=\"ISO-8859-1\"\n\n"
        + "<html>\n<body><p align=\"center\">Hello</p></body></html>\n--= B 09--\n"));
    // part headers in another order: the Content-Type need not come first
    assertEquals("reordered", EmailText.plainBody("From: a\n\n--B1\nContent-Transfer-Encoding: 7bit\n"
        + "Content-Type: text/plain\n\nreordered\n--B1--\n"));
    // a list post quoting a MIME source below its own text (easy-ham-1/01751) is not split: all of it stays
    String post = "multipart/alternative messages are hosed, for instance:\n\nSubject: Booga\nContent-type: "
        + "multipart/alternative; boundary=\"snot\"\n\n--snot\nContent-type: text/plain\n\nHi there.\n--snot--\n\n"
        + "Comes out like this.";
    assertEquals(post, EmailText.plainBody("From: a\n\n" + post));
    // parts that hold no text (an image only): the body as it is rather than nothing
    String image = "--I\nContent-Type: image/gif\n\nR0lGOD\n--I--";
    assertEquals(image, EmailText.plainBody("From: a\n\n" + image));
    // a plain text that only mentions a delimiter (no Content-Type after it) stays as it is
    String talk = "a line\n--not a boundary\nContent-Length: 3\n";
    assertEquals(talk.strip(), EmailText.plainBody("Subject: s\n\n" + talk));
    // no Content-Type, no delimiter: a text/plain body, its transfer encoding still undone (spam-2/00716)
    assertEquals("a customer", EmailText.plainBody("MIME-Version: 1.0\nContent-Transfer-Encoding: quoted-printable"
        + "\n\na custo=\nmer"));
    // an explicit text/plain is never split, whatever its lines look like
    String quoted = "quoted:\n--Q\nContent-Type: text/plain\n\ninner\n--Q--";
    assertEquals(quoted, EmailText.plainBody("Content-Type: text/plain\n\n" + quoted));
  }

  @Test
  void quotedPrintableDecodesBytesAndSoftBreaksAndKeepsStrayEquals() {
    assertEquals("a=b c", new String(EmailText.quotedPrintable("a=3Db=\n c"), StandardCharsets.ISO_8859_1));
    assertEquals("x = y =Z", new String(EmailText.quotedPrintable("x = y =Z"), StandardCharsets.ISO_8859_1));
    assertEquals("h\u00e9 \ud83d\ude00", new String(EmailText.quotedPrintable("h=C3=A9 \ud83d\ude00"),
        StandardCharsets.UTF_8), "characters above 0xFF stay as UTF-8");
  }

  @Test
  void headerAndParamReadFoldedAndQuotedValues() {
    String h = "X-A: 1\ncontent-type: multipart/mixed;\n\tboundary=\"a b\"; charset=utf-8\nY: 2";
    assertEquals("multipart/mixed; boundary=\"a b\"; charset=utf-8", EmailText.header(h, "Content-Type"));
    assertEquals("a b", EmailText.param(EmailText.header(h, "Content-Type"), "boundary"));
    assertEquals("utf-8", EmailText.param(EmailText.header(h, "Content-Type"), "CHARSET"));
    assertEquals("", EmailText.header(h, "Content-Transfer-Encoding"));
    assertFalse(EmailText.header("Content-Typex: no", "Content-Type").equals("no"), "a longer name is not a match");
    assertTrue(EmailText.param("text/plain", "charset") == null);
  }
}
