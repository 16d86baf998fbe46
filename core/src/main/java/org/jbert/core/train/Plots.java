package org.jbert.core.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.jbert.core.io.AtomicFiles;

/** Line charts as PNG (java.awt, headless), for the run report: loss and learning rate against the step. */
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

  private static String number(double v) {
    double a = Math.abs(v);
    if (v == 0) return "0";
    if (a >= 1e4 || a < 1e-2) return String.format(Locale.ROOT, "%.2e", v);
    return String.format(Locale.ROOT, "%.3f", v);
  }
}
