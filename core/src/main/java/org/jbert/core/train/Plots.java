package org.jbert.core.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jbert.core.JbertException;
import org.jbert.core.io.AtomicFiles;

/**
 * Charts as PNG (java.awt, headless) for run and eval reports: line charts (loss and learning rate against the step),
 * a heatmap with counts (confusion matrices) and grouped bars on a log axis with a reference line (per-layer parity
 * differences against a tolerance). Every file is written atomically.
 */
public final class Plots {
  private Plots() {}

  private static final int W = 800, H = 420, LEFT = 80, RIGHT = 20, TOP = 40, BOTTOM = 50;

  /**
   * Writes a line chart of {@code y} against {@code x} to {@code png} (atomically). Non-finite values are skipped.
   */
  public static void line(Path png, String title, String yLabel, long[] x, double[] y) {
    System.setProperty("java.awt.headless", "true");
    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, W, H);
      double xMin = Double.POSITIVE_INFINITY, xMax = Double.NEGATIVE_INFINITY;
      double yMin = Double.POSITIVE_INFINITY, yMax = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < x.length; i++) {
        if (!Double.isFinite(y[i])) continue;
        xMin = Math.min(xMin, x[i]);
        xMax = Math.max(xMax, x[i]);
        yMin = Math.min(yMin, y[i]);
        yMax = Math.max(yMax, y[i]);
      }
      if (xMin > xMax) {  // nothing to draw
        xMin = 0;
        xMax = 1;
        yMin = 0;
        yMax = 1;
      }
      if (xMax == xMin) xMax = xMin + 1;
      if (yMax == yMin) {
        double pad = yMax == 0 ? 1 : Math.abs(yMax) * 0.05;
        yMin -= pad;
        yMax += pad;
      }
      int pw = W - LEFT - RIGHT, ph = H - TOP - BOTTOM;
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      FontMetrics fm = g.getFontMetrics();
      // grid and ticks
      for (int k = 0; k <= 5; k++) {
        int py = TOP + ph - k * ph / 5;
        int px = LEFT + k * pw / 5;
        g.setColor(new Color(230, 230, 230));
        g.drawLine(LEFT, py, LEFT + pw, py);
        g.drawLine(px, TOP, px, TOP + ph);
        g.setColor(Color.DARK_GRAY);
        String yl = number(yMin + k * (yMax - yMin) / 5);
        g.drawString(yl, LEFT - 6 - fm.stringWidth(yl), py + fm.getAscent() / 2);
        String xl = String.valueOf(Math.round(xMin + k * (xMax - xMin) / 5));
        g.drawString(xl, px - fm.stringWidth(xl) / 2, TOP + ph + 18);
      }
      g.setColor(Color.BLACK);
      g.drawRect(LEFT, TOP, pw, ph);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
      g.drawString(title, LEFT, TOP - 14);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      g.drawString("step", LEFT + pw / 2 - 12, H - 12);
      Graphics2D r = (Graphics2D) g.create();
      r.rotate(-Math.PI / 2);
      r.drawString(yLabel, -(TOP + ph / 2) - fm.stringWidth(yLabel) / 2, 16);
      r.dispose();
      // the line
      g.setColor(new Color(31, 119, 180));
      g.setStroke(new BasicStroke(1.8f));
      Path2D.Double path = new Path2D.Double();
      boolean started = false;
      int points = 0;
      for (int i = 0; i < x.length; i++) {
        if (!Double.isFinite(y[i])) continue;
        double px = LEFT + (x[i] - xMin) / (xMax - xMin) * pw;
        double py = TOP + ph - (y[i] - yMin) / (yMax - yMin) * ph;
        if (started) path.lineTo(px, py);
        else path.moveTo(px, py);
        started = true;
        points++;
      }
      if (points == 1) g.fillOval((int) path.getCurrentPoint().getX() - 3, (int) path.getCurrentPoint().getY() - 3, 6, 6);
      g.draw(path);
    } finally {
      g.dispose();
    }
    AtomicFiles.write(png, out -> {
      if (!ImageIO.write(img, "png", out)) throw new java.io.IOException("no PNG writer");
    });
  }

  /** Size of a {@link #heatmap} image in pixels (width, height), whatever the number of classes. */
  public static final int HEATMAP_W = 640, HEATMAP_H = 600;

  /**
   * Writes a heatmap of {@code counts} [K,K] to {@code png} ({@link #HEATMAP_W} x {@link #HEATMAP_H}), each cell
   * shaded by its count relative to the largest one and labelled with the count: rows are {@code rowTitle} (e.g. true
   * class), columns {@code colTitle} (e.g. predicted class), both named by {@code labels} (cut to 12 characters).
   */
  public static void heatmap(Path png, String title, List<String> labels, long[][] counts, String rowTitle,
      String colTitle) {
    int k = labels.size();
    if (k == 0 || counts.length != k) {
      throw new JbertException(png + ": heatmap has " + counts.length + " rows and " + k + " labels: expected equal, > 0");
    }
    long max = 0;
    for (long[] row : counts) {
      if (row.length != k) throw new JbertException(png + ": heatmap row has " + row.length + " cells: expected " + k);
      for (long v : row) max = Math.max(max, v);
    }
    System.setProperty("java.awt.headless", "true");
    BufferedImage img = new BufferedImage(HEATMAP_W, HEATMAP_H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      start(g, HEATMAP_W, HEATMAP_H);
      int left = 130, top = 60, right = 20, bottom = 110;
      int cell = Math.min((HEATMAP_W - left - right) / k, (HEATMAP_H - top - bottom) / k);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
      g.setColor(Color.BLACK);
      g.drawString(title, left, 28);
      int fontSize = Math.max(9, Math.min(14, cell / 3));
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, fontSize));
      FontMetrics fm = g.getFontMetrics();
      for (int i = 0; i < k; i++) {
        for (int j = 0; j < k; j++) {
          double f = max == 0 ? 0 : (double) counts[i][j] / max;
          // white -> dark blue
          Color c = new Color((int) Math.round(247 - f * (247 - 8)), (int) Math.round(251 - f * (251 - 48)),
              (int) Math.round(255 - f * (255 - 107)));
          int x = left + j * cell, y = top + i * cell;
          g.setColor(c);
          g.fillRect(x, y, cell, cell);
          g.setColor(new Color(200, 200, 200));
          g.drawRect(x, y, cell, cell);
          String s = Long.toString(counts[i][j]);
          g.setColor(f > 0.5 ? Color.WHITE : Color.BLACK);
          g.drawString(s, x + (cell - fm.stringWidth(s)) / 2, y + (cell + fm.getAscent() - fm.getDescent()) / 2);
        }
      }
      g.setColor(Color.DARK_GRAY);
      for (int i = 0; i < k; i++) {
        String l = cut(labels.get(i));
        g.drawString(l, left - 6 - fm.stringWidth(l), top + i * cell + (cell + fm.getAscent() - fm.getDescent()) / 2);
        Graphics2D r = (Graphics2D) g.create();
        r.translate(left + i * cell + (cell + fm.getAscent() - fm.getDescent()) / 2, top + k * cell + 6);
        r.rotate(Math.PI / 2);
        r.drawString(l, 0, 0);
        r.dispose();
      }
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
      fm = g.getFontMetrics();
      g.drawString(colTitle, left + (k * cell - fm.stringWidth(colTitle)) / 2, HEATMAP_H - 12);
      Graphics2D r = (Graphics2D) g.create();
      r.rotate(-Math.PI / 2);
      r.drawString(rowTitle, -(top + k * cell / 2) - fm.stringWidth(rowTitle) / 2, 18);
      r.dispose();
    } finally {
      g.dispose();
    }
    writePng(png, img);
  }

  /**
   * Writes grouped bars on a log10 y axis ({@code 800 x 420}) to {@code png}: one group per category (e.g. layer),
   * one bar per series (e.g. "max abs", "mean abs"), and a dashed red horizontal line at {@code reference} (e.g. the
   * tolerance) unless it is NaN. Values &lt;= 0 are drawn as empty bars at the bottom of the axis; NaN is skipped.
   */
  public static void logBars(Path png, String title, String yLabel, List<String> categories,
      Map<String, double[]> series, double reference, String referenceLabel) {
    for (Map.Entry<String, double[]> e : series.entrySet()) {
      if (e.getValue().length != categories.size()) {
        throw new JbertException(png + ": series '" + e.getKey() + "' has " + e.getValue().length
            + " values: expected " + categories.size() + " (one per category)");
      }
    }
    double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
    for (double[] vs : series.values()) {
      for (double v : vs) {
        if (v > 0 && Double.isFinite(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    if (reference > 0 && Double.isFinite(reference)) {
      lo = Math.min(lo, reference);
      hi = Math.max(hi, reference);
    }
    if (lo > hi) {
      lo = 1e-8;
      hi = 1;
    }
    // headroom above the largest value so that a reference line at the top stays visible
    double eLo = Math.floor(Math.log10(lo)), eHi = Math.ceil(Math.log10(hi * 1.5));
    if (eHi <= eLo) eHi = eLo + 1;
    System.setProperty("java.awt.headless", "true");
    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    Color[] palette = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44),
        new Color(148, 103, 189)};
    try {
      start(g, W, H);
      int pw = W - LEFT - RIGHT, ph = H - TOP - BOTTOM;
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      FontMetrics fm = g.getFontMetrics();
      for (int e = (int) eLo; e <= (int) eHi; e++) {
        int py = (int) Math.round(TOP + ph - (e - eLo) / (eHi - eLo) * ph);
        g.setColor(new Color(230, 230, 230));
        g.drawLine(LEFT, py, LEFT + pw, py);
        g.setColor(Color.DARK_GRAY);
        String yl = "1e" + e;
        g.drawString(yl, LEFT - 6 - fm.stringWidth(yl), py + fm.getAscent() / 2);
      }
      int n = categories.size(), m = Math.max(1, series.size());
      double group = n == 0 ? pw : (double) pw / n;
      double bar = group * 0.8 / m;
      int labelEvery = Math.max(1, (int) Math.ceil(n * 40.0 / pw));
      for (int c = 0; c < n; c++) {
        int s = 0;
        for (double[] vs : series.values()) {
          double v = vs[c];
          double x = LEFT + c * group + group * 0.1 + s * bar;
          g.setColor(palette[s % palette.length]);
          if (v > 0 && Double.isFinite(v)) {
            double py = TOP + ph - (Math.log10(v) - eLo) / (eHi - eLo) * ph;
            py = Math.max(TOP, Math.min(TOP + ph, py));
            g.fillRect((int) Math.round(x), (int) Math.round(py), Math.max(1, (int) Math.round(bar) - 1),
                (int) Math.round(TOP + ph - py));
          }
          s++;
        }
        if (c % labelEvery == 0) {
          g.setColor(Color.DARK_GRAY);
          String xl = cut(categories.get(c));
          g.drawString(xl, (int) (LEFT + c * group + group / 2) - fm.stringWidth(xl) / 2, TOP + ph + 18);
        }
      }
      g.setColor(Color.BLACK);
      g.drawRect(LEFT, TOP, pw, ph);
      if (reference > 0 && Double.isFinite(reference)) {
        double py = TOP + ph - (Math.log10(reference) - eLo) / (eHi - eLo) * ph;
        g.setColor(new Color(214, 39, 40));
        g.setStroke(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 5f}, 0f));
        g.draw(new Line2D.Double(LEFT, py, LEFT + pw, py));
        g.setStroke(new BasicStroke(1f));
      }
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
      g.setColor(Color.BLACK);
      g.drawString(title, LEFT, TOP - 14);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      Graphics2D r = (Graphics2D) g.create();
      r.rotate(-Math.PI / 2);
      r.drawString(yLabel, -(TOP + ph / 2) - fm.stringWidth(yLabel) / 2, 16);
      r.dispose();
      // legend: one row above the plot, right-aligned
      List<String> names = new java.util.ArrayList<>(series.keySet());
      boolean ref = reference > 0 && Double.isFinite(reference);
      String refText = referenceLabel + " " + number(reference);
      int width = 0;
      for (String name : names) width += 14 + fm.stringWidth(name) + 16;
      if (ref) width += 24 + fm.stringWidth(refText);
      int lx = LEFT + pw - width, ly = TOP - 26;
      for (int s = 0; s < names.size(); s++) {
        g.setColor(palette[s % palette.length]);
        g.fillRect(lx, ly + 3, 10, 10);
        g.setColor(Color.BLACK);
        g.drawString(names.get(s), lx + 14, ly + 12);
        lx += 14 + fm.stringWidth(names.get(s)) + 16;
      }
      if (ref) {
        g.setColor(new Color(214, 39, 40));
        g.setStroke(new BasicStroke(2f));
        g.drawLine(lx, ly + 8, lx + 20, ly + 8);
        g.setStroke(new BasicStroke(1f));
        g.setColor(Color.BLACK);
        g.drawString(refText, lx + 24, ly + 12);
      }
    } finally {
      g.dispose();
    }
    writePng(png, img);
  }

  private static void start(Graphics2D g, int w, int h) {
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
  }

  private static void writePng(Path png, BufferedImage img) {
    AtomicFiles.write(png, out -> {
      if (!ImageIO.write(img, "png", out)) throw new java.io.IOException("no PNG writer");
    });
  }

  private static String cut(String s) {
    return s.length() <= 12 ? s : s.substring(0, 11) + "\u2026";
  }

  private static String number(double v) {
    double a = Math.abs(v);
    if (v == 0) return "0";
    if (a >= 1e4 || a < 1e-2) return String.format(Locale.ROOT, "%.2e", v);
    return String.format(Locale.ROOT, "%.3f", v);
  }
}
