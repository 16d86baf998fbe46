package org.jbert.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jbert.core.JbertException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotsTest {
  @Test
  void logBarsDrawsBarsAndTheReferenceLine(@TempDir Path dir) throws Exception {
    Map<String, double[]> series = new LinkedHashMap<>();
    series.put("max", new double[] {1e-6, 1e-5});
    series.put("mean", new double[] {1e-7, 0});  // 0 has no place on a log axis: no bar
    Path png = dir.resolve("bars.png");
    Plots.logBars(png, "t", "diff", List.of("a", "b"), series, 1e-4, "tol");
    BufferedImage img = ImageIO.read(png.toFile());
    assertNotNull(img);
    assertEquals(800, img.getWidth());
    assertEquals(420, img.getHeight());
    // axis 1e-7 .. 1e-3 (1e-4 * 1.5 rounds up), plot area y 40..370: the line at 1e-4 is 3/4 of the way up
    int y = 40 + 330 - (int) Math.round(3.0 / 4 * 330);
    int redish = 0;
    for (int x = 100; x < 700; x++) {
      int rgb = img.getRGB(x, y);
      if (((rgb >> 16) & 0xff) > 180 && ((rgb >> 8) & 0xff) < 80) redish++;
    }
    assertTrue(redish > 200, "dashed red tolerance line expected at y=" + y + ", red pixels " + redish);
  }

  @Test
  void heatmapRejectsRaggedCounts(@TempDir Path dir) {
    JbertException e = assertThrows(JbertException.class,
        () -> Plots.heatmap(dir.resolve("h.png"), "t", List.of("a", "b"), new long[][] {{1, 2}, {3}}, "r", "c"));
    assertTrue(e.getMessage().contains("expected 2"), e.getMessage());
  }
}
