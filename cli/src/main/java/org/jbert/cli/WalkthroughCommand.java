package org.jbert.cli;

import org.jbert.core.model.Bert;
import org.jbert.core.model.PretrainedModels;
import org.jbert.eval.article.ArticleWalkthrough;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jbert walkthrough}: the article's TF Hub walkthrough on a real BERT. */
@Command(
    name = "walkthrough",
    mixinStandardHelpOptions = true,
    description = {
      "The article's walkthrough: preprocess its three sentences, run the encoder, show the key names and shapes,"
          + " check encoder_outputs[-1] == sequence_output, and compare the static and contextual vectors of"
          + " \"fair\" in two senses."
    })
final class WalkthroughCommand implements Runnable {
  @Option(names = "--model", paramLabel = "DIR|NAME", defaultValue = PretrainedModels.DEFAULT,
      description = "model folder or name: bert-base-uncased (default), bert-base-cased")
  String model;

  @Override
  public void run() {
    try (Bert bert = Bert.load(model)) {
      ArticleWalkthrough.Result r = ArticleWalkthrough.run(bert, System.out);
      if (!r.lastLayerAllEqual()) throw new IllegalStateException("encoder_outputs[-1] != sequence_output");
    }
  }
}
