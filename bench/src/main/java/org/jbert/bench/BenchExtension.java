package org.jbert.bench;

import org.jbert.cli.CliExtension;

/** Adds {@code jbert bench} to the CLI when this module is on the class path ({@code bin/jbert} runs with it). */
public final class BenchExtension implements CliExtension {
  @Override
  public Object subcommand() {
    return new BenchCommand();
  }
}
