package org.jbert.spark.cli;

import org.jbert.cli.CliExtension;

/**
 * Adds {@code jbert spark} to the CLI when this module is on the class path ({@code bin/jbert spark} puts it there).
 */
public final class SparkExtension implements CliExtension {
  @Override
  public Object subcommand() {
    return new SparkCommand();
  }
}
