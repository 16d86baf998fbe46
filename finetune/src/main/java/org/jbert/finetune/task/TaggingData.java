package org.jbert.finetune.task;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jbert.core.tokenize.BertTokenizer;
import org.jbert.core.tokenize.Token;
import org.jbert.core.tokenize.Vocab;
import org.jbert.finetune.Batch;
import org.jbert.finetune.TaskModel;
import org.jbert.finetune.data.LabelMap;
import org.jbert.finetune.data.TaggedSentence;
import org.jbert.finetune.head.HeadOutputs;
import org.jbert.finetune.head.TokenClassificationHead;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Token classification data: a sentence's words are tokenized one by one (as Hugging Face's
 * {@code is_split_into_words=True}) into {@code [CLS] pieces [SEP]}, cut to T - 2 pieces at the end. Each word's tag
 * id sits on its first word piece; the other pieces, [CLS], [SEP] and padding get -100 (not scored). A word's
 * prediction is the argmax at its first piece; words without a piece in the row (cut off, or dropped by the
 * tokenizer, e.g. a lone control character) are predicted "O".
 */
public final class TaggingData implements TaskData {
  /** The tag of words the model saw no piece of. */
  public static final String OUTSIDE = "O";

  private final String source;
  private final List<TaggedSentence> sentences;
  private final LabelMap tags;
  private final int[][] wordIds;
  private final int[][] labelIds;
  private final int[][] firstPiece;
  private final int padId;

  private TaggingData(String source, List<TaggedSentence> sentences, LabelMap tags, TextInputs inputs) {
    this.source = source;
    this.sentences = List.copyOf(sentences);
    this.tags = tags;
    int n = sentences.size();
    wordIds = new int[n][];
    labelIds = new int[n][];
    firstPiece = new int[n][];
    if (n == 0) {
      padId = 0;
      return;
    }
    BertTokenizer tok = inputs.tokenizer(source);
    Vocab v = tok.vocab();
    padId = v.padId();
    int room = inputs.maxSeqLength() - 2;
    for (int s = 0; s < n; s++) {
      TaggedSentence sentence = sentences.get(s);
      int[] tagIds = tags.ids(sentence);
      List<Integer> ids = new ArrayList<>();
      List<Integer> labels = new ArrayList<>();
      ids.add(v.clsId());
      labels.add(TokenClassificationHead.IGNORE_INDEX);
      int[] first = new int[tagIds.length];
      Arrays.fill(first, -1);
      boolean full = false;
      for (int w = 0; w < tagIds.length && !full; w++) {
        List<Token> pieces = tok.tokenize(sentence.tokens().get(w));
        full = ids.size() - 1 + pieces.size() > room; // this word and all after it are cut off
        if (pieces.isEmpty() || full) continue;
        first[w] = ids.size();
        for (int p = 0; p < pieces.size(); p++) {
          ids.add(pieces.get(p).id());
          labels.add(p == 0 ? tagIds[w] : TokenClassificationHead.IGNORE_INDEX);
        }
      }
      ids.add(v.sepId());
      labels.add(TokenClassificationHead.IGNORE_INDEX);
      wordIds[s] = ids.stream().mapToInt(Integer::intValue).toArray();
      labelIds[s] = labels.stream().mapToInt(Integer::intValue).toArray();
      firstPiece[s] = first;
    }
  }

  /**
   * Encodes {@code sentences}; every tag must be in {@code tags} (else an error naming its file:line and the known
   * tags).
   */
  public static TaggingData of(String source, List<TaggedSentence> sentences, LabelMap tags, TextInputs inputs) {
    return new TaggingData(source, sentences, tags, inputs);
  }

  @Override
  public String source() {
    return source;
  }

  @Override
  public int examples() {
    return sentences.size();
  }

  @Override
  public int size() {
    return sentences.size();
  }

  /** Row {@code s}'s token ids: [CLS], the word pieces, [SEP]. */
  public int[] inputIds(int s) {
    return wordIds[s].clone();
  }

  /** Row {@code s}'s training labels, aligned with {@link #inputIds}: a tag id on first pieces, -100 elsewhere. */
  public int[] labelIds(int s) {
    return labelIds[s].clone();
  }

  /** For each word of sentence {@code s}, the row position of its first piece, or -1 when it has none. */
  public int[] firstPieces(int s) {
    return firstPiece[s].clone();
  }

  /** The rows' encoder inputs [B,T], padded to their longest. */
  public Batch inputs(int[] rows) {
    int[][] w = Rows.pad(wordIds, rows, padId);
    return Batch.inputs(w, mask(w, rows), new int[w.length][w[0].length]);
  }

  @Override
  public Batch batch(int[] rows) {
    int[][] w = Rows.pad(wordIds, rows, padId);
    return Batch.tagging(w, mask(w, rows), new int[w.length][w[0].length],
        Rows.pad(labelIds, rows, TokenClassificationHead.IGNORE_INDEX));
  }

  private int[][] mask(int[][] padded, int[] rows) {
    int[][] m = new int[rows.length][padded[0].length];
    for (int k = 0; k < rows.length; k++) Arrays.fill(m[k], 0, wordIds[rows[k]].length, 1);
    return m;
  }

  @Override
  public TaskPredictions predict(TaskModel model, int batchSize) {
    int n = size();
    List<List<String>> predicted = new ArrayList<>(java.util.Collections.nCopies(n, null));
    Rows.forEachBatch(model, n, batchSize, this::inputs, (rows, out) -> {
      try (INDArray best = out.get(HeadOutputs.LOGITS).argMax(2)) { // [B,T]
        for (int k = 0; k < rows.length; k++) {
          int[] first = firstPiece[rows[k]];
          List<String> p = new ArrayList<>(first.length);
          for (int pos : first) p.add(pos < 0 ? OUTSIDE : tags.label(best.getInt(k, pos)));
          predicted.set(rows[k], p);
        }
      }
    });
    List<String> ids = sentences.stream().map(TaggedSentence::where).toList();
    List<List<String>> gold = sentences.stream().map(TaggedSentence::tags).toList();
    return new TaskPredictions.Tags(ids, gold, predicted, tags.labels());
  }
}
