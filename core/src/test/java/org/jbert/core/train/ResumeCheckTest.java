package org.jbert.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.jbert.core.JbertException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checkpoint written before a setting existed resumes while the setting is at its default, and only then. */
class ResumeCheckTest {
  /** A data section as a later jbert has it: {@code text} is the newer setting. */
  public record Section(int maxLen, Mode text) {
    public static Section defaults() {
      return new Section(128, Mode.RAW);
    }
  }

  public enum Mode { RAW, PLAIN }

  /** A section with no defaults(): every key must be in the checkpoint. */
  public record Bare(int maxLen, Mode text) {}

  private static Path checkpointOfAnOlderVersion(Path dir) throws Exception {
    ObjectMapper json = new ObjectMapper();
    ObjectNode state = json.createObjectNode();
    ObjectNode run = ResumeCheck.of(TrainConfig.defaults()).toJson();
    run.put("data.max_len", "64"); // the older version had data.max_len but no data.text
    state.set(ResumeCheck.STATE_KEY, run);
    Path cp = Files.createDirectories(dir.resolve("step-5"));
    Files.writeString(cp.resolve(Checkpoints.STATE), json.writeValueAsString(state));
    return cp;
  }

  @Test
  void aSettingMissingFromTheCheckpointPassesOnlyAtItsDefault(@TempDir Path dir) throws Exception {
    Path cp = checkpointOfAnOlderVersion(dir);
    ResumeCheck.of(TrainConfig.defaults()).withSettings("data", new Section(64, Mode.RAW), Set.of()).verify(cp);

    JbertException e = assertThrows(JbertException.class, () -> ResumeCheck.of(TrainConfig.defaults())
        .withSettings("data", new Section(64, Mode.PLAIN), Set.of()).verify(cp));
    assertEquals(cp.resolve(Checkpoints.STATE) + ": data.text was (not set) when the checkpoint was written but is"
        + " plain now; expected the same to resume exactly (or --overwrite to start over)", e.getMessage());
    // a recorded setting still has to match, default or not
    e = assertThrows(JbertException.class, () -> ResumeCheck.of(TrainConfig.defaults())
        .withSettings("data", new Section(128, Mode.RAW), Set.of()).verify(cp));
    assertEquals(cp.resolve(Checkpoints.STATE) + ": data.max_len was 64 when the checkpoint was written but is 128"
        + " now; expected the same to resume exactly (or --overwrite to start over)", e.getMessage());
    // without defaults() a missing key is refused even at the value a default would have
    e = assertThrows(JbertException.class, () -> ResumeCheck.of(TrainConfig.defaults())
        .withSettings("data", new Bare(64, Mode.RAW), Set.of()).verify(cp));
    assertEquals(cp.resolve(Checkpoints.STATE) + ": data.text was (not set) when the checkpoint was written but is"
        + " raw now; expected the same to resume exactly (or --overwrite to start over)", e.getMessage());
  }
}
