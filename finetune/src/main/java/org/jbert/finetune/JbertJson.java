package org.jbert.finetune;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.jbert.core.JbertException;
import org.jbert.core.config.ConfigMapper;
import org.jbert.core.io.JsonFiles;
import org.jbert.core.model.BertModel;

/**
 * A jbert folder's {@code jbert.json}, bound by {@link ConfigMapper#json()} (unknown keys and missing required keys
 * refused, each message naming the file and the key path).
 *
 * @param format always {@code jbert}
 * @param formatVersion {@link BertModel#FORMAT_VERSION}
 * @param hiddenAct the encoder's activation as jbert names it (e.g. {@code GELU_ERF})
 * @param head the task head, absent for an encoder or pretraining folder
 */
record JbertJson(String format, int formatVersion, String hiddenAct, Optional<Head> head) {

  /**
   * The {@code head} object of a task model folder.
   *
   * @param type the registered head type ({@link org.jbert.finetune.head.TaskHeads})
   * @param numLabels C
   * @param problemType Hugging Face's {@code problem_type} name
   * @param dropout the head's dropout rate; absent means the encoder's hidden dropout
   * @param id2label class names by id ("0", "1", ...); empty when the model has none
   * @param options a custom head's options
   */
  record Head(String type, int numLabels, String problemType, Optional<Double> dropout, Map<String, String> id2label,
      Map<String, String> options) {}

  /** Reads and binds {@code file}; a format version other than this jbert's is refused. */
  static JbertJson read(Path file) {
    JbertJson j = ConfigMapper.json().bind(JsonFiles.readObject(file), JbertJson.class, file.toString());
    if (j.formatVersion() != BertModel.FORMAT_VERSION) {
      throw new JbertException(file + ": format_version " + j.formatVersion() + " is not supported; expected "
          + BertModel.FORMAT_VERSION);
    }
    return j;
  }
}
