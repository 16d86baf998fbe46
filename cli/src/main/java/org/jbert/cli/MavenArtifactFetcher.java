package org.jbert.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.jbert.core.JbertException;
import org.jbert.core.model.ArtifactFetcher;

/**
 * The CLI's {@link ArtifactFetcher}: {@code mvn -q -B dependency:get -Dartifact=... -Dtransitive=false} as a
 * subprocess (so {@code bin/jbert --model bert-base-cased} works on a machine that has Maven and Central).
 */
public final class MavenArtifactFetcher implements ArtifactFetcher {
  @Override
  public void fetch(String coordinates, Path localRepository) {
    List<String> cmd = new ArrayList<>(List.of(mavenExecutable(), "-q", "-B", "dependency:get",
        "-Dartifact=" + coordinates, "-Dtransitive=false"));
    if (System.getProperty("maven.repo.local") != null) cmd.add("-Dmaven.repo.local=" + localRepository);
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new JbertException("artifact " + coordinates + " is not in " + localRepository + " and Maven could not be"
          + " started (" + e.getMessage() + "); install Maven or run: mvn dependency:get -Dartifact=" + coordinates, e);
    }
    try {
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
        String last = output.lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("");
        throw new JbertException("`" + String.join(" ", cmd) + "` failed (" + last
            + "); check the network or run it by hand");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      p.destroy();
      Thread.currentThread().interrupt();
      throw new JbertException("interrupted while downloading " + coordinates);
    }
  }

  private static String mavenExecutable() {
    boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win");
    return windows ? "mvn.cmd" : "mvn";
  }
}
