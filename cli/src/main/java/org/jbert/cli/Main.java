package org.jbert.cli;

import java.io.PrintWriter;
import java.util.ServiceLoader;
import org.jbert.core.JbertException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bin/jbert}: the command-line entry point; modules on the class path add subcommands ({@link CliExtension}). Each subcommand is a thin layer over library methods; errors in the
 * user's input ({@link JbertException}) print as one line, without a stack trace, and exit with status 2.
 */
@Command(
    name = "jbert",
    mixinStandardHelpOptions = true,
    version = "jbert 0.1.0-SNAPSHOT",
    description = "BERT pretraining, fine-tuning and evaluation on DL4J SameDiff.",
    subcommands = {WalkthroughCommand.class, TokenizeCommand.class, EmbedCommand.class, PredictCommand.class,
        FillMaskCommand.class, PretrainDataCommand.class, DataCommand.class, RunCommand.class, EvalCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {

  /** Exit status for bad input. */
  public static final int BAD_INPUT = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Runs {@code args} and returns the exit status, for tests. */
  public static int execute(String... args) {
    return newCommandLine().execute(args);
  }

  /** The command line with every subcommand, its bad-input handler installed (tests set its out and err). */
  public static CommandLine newCommandLine() {
    CommandLine cl = new CommandLine(new Main());
    for (CliExtension e : ServiceLoader.load(CliExtension.class)) cl.addSubcommand(e.subcommand());
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      Throwable t = ex;
      while (!(t instanceof JbertException) && t.getCause() != null) t = t.getCause();
      PrintWriter err = commandLine.getErr();
      if (t instanceof JbertException) {
        err.println("jbert " + commandLine.getCommandName() + ": error: " + t.getMessage());
        err.flush();
        return BAD_INPUT;
      }
      throw ex;
    });
    return cl;
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }
}
