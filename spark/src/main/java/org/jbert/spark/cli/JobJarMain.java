package org.jbert.spark.cli;

import org.jbert.cli.Main;

/**
 * The job jar's {@code Main-Class} ({@code mvn -Pjob-jar package}): {@code spark-submit ... jbert-spark-*-job.jar
 * embed|predict|eval|throughput ARGS} runs {@code jbert spark embed|predict|eval|throughput ARGS} on spark-submit's
 * master. The JVM exits only on failure (status 2 for bad input), so a cluster manager sees a normal return when the
 * job succeeded. Other jbert commands run with {@code --class org.jbert.cli.Main}.
 */
public final class JobJarMain {
  private JobJarMain() {}

  public static void main(String[] args) {
    String[] spark = new String[args.length + 1];
    spark[0] = "spark";
    System.arraycopy(args, 0, spark, 1, args.length);
    int status = Main.execute(spark);
    if (status != 0) System.exit(status);
  }
}
