package org.jbert.eval.tf;

import java.nio.file.Path;
import java.util.Locale;
import org.jbert.core.model.PretrainedModels;
import org.jbert.core.weights.SavedModelSource;
import org.jbert.core.weights.TensorBundle;

/**
 * A quick measurement, not a test: the time to read every BERT-base weight with the pure-Java TensorBundle, and
 * TF Java inference throughput at B=32, T=128 (sequence + pooled output only).
 *
 * <p>Usage: {@code TfReferenceBenchmark [model-name-or-SavedModel-folder] [batches]} (default bert-base-uncased, 5).
 */
public final class TfReferenceBenchmark {
  public static void main(String[] args) {
    Path folder = args.length > 0 && java.nio.file.Files.isDirectory(Path.of(args[0])) ? Path.of(args[0])
        : PretrainedModels.resolve(args.length > 0 ? args[0] : PretrainedModels.DEFAULT);
    int batches = args.length > 1 ? Integer.parseInt(args[1]) : 5;

    for (int rep = 0; rep < 3; rep++) {
      long t0 = System.nanoTime();
      long floats = 0;
      try (SavedModelSource s = SavedModelSource.open(folder)) {
        TensorBundle b = s.bundle();
        for (String n : s.names()) floats += s.read(n).length;
        if (b.entries().size() != s.names().size()) throw new IllegalStateException("unread entries");
      }
      System.out.printf(Locale.ROOT, "TensorBundle: %d floats (%d MB) read in %.2f s%n", floats, floats * 4 >> 20,
          (System.nanoTime() - t0) / 1e9);
    }

    int b = 32;
    int t = 128;
    int[][][] in = new int[3][b][t];
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < t; j++) {
        in[0][i][j] = j == 0 ? 101 : j == t - 1 ? 102 : 1000 + (i * 31 + j * 7) % 28000;
        in[1][i][j] = 1;
        in[2][i][j] = j >= t / 2 ? 1 : 0;
      }
    }
    try (TfReference tf = TfReference.load(folder)) {
      tf.run(in[0], in[1], in[2], false); // warm-up
      long t0 = System.nanoTime();
      for (int k = 0; k < batches; k++) tf.run(in[0], in[1], in[2], false);
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT, "TF Java 0.5.0: B=%d T=%d, %d batches in %.2f s = %.1f seq/s%n", b, t, batches, s,
          batches * b / s);
      t0 = System.nanoTime();
      tf.run(in[0], in[1], in[2], true);
      System.out.printf(Locale.ROOT, "TF Java 0.5.0: one batch with all %d layer outputs fetched: %.2f s%n",
          tf.config().numHiddenLayers(), (System.nanoTime() - t0) / 1e9);
    }
  }
}
