package org.jbert.core.train;

import java.nio.file.Path;

/**
 * A child process for {@link RunFolderTest}: takes the run folder {@code args[0]} as a run would, prints
 * {@code locked}, then holds it until killed.
 */
public final class RunFolderHolder {
  private RunFolderHolder() {}

  public static void main(String[] args) throws Exception {
    try (RunFolder f = RunFolder.open(Path.of(args[0]), RunFolder.Mode.FRESH, ResumeCheck.of(TrainConfig.defaults()))) {
      System.out.println("locked");
      System.out.flush();
      Thread.sleep(600_000);
    }
  }
}
