package org.jbert.cli;

/**
 * A subcommand that another module adds to {@code bin/jbert}, found through {@link java.util.ServiceLoader}
 * ({@code META-INF/services/org.jbert.cli.CliExtension}). The {@code bench} module adds {@code jbert bench} this way,
 * so the CLI itself does not depend on the benchmarks.
 */
public interface CliExtension {
  /** A picocli {@code @Command} instance. */
  Object subcommand();
}
