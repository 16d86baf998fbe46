package org.jbert.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Test resources shared through jbert-core's test-jar, as files. In a reactor {@code mvn test} they are core's
 * {@code target/test-classes}; when the test-jar itself is on the class path (a {@code verify} build, or a module
 * built alone) a resource folder is copied out of the jar once into a temporary folder.
 */
public final class TestResources {
  private static final Map<String, Path> EXTRACTED = new ConcurrentHashMap<>();

  private TestResources() {}

  /** The resource {@code name} (a file or a folder, e.g. {@code hf-tiny-bert/seqcls}) as a path. */
  public static Path path(String name) {
    URL url = TestResources.class.getResource("/" + name);
    if (url == null) throw new IllegalStateException("missing test resource " + name);
    try {
      URI uri = url.toURI();
      if (!"jar".equals(uri.getScheme())) return Path.of(uri);
      return EXTRACTED.computeIfAbsent(name, n -> extract(uri, n));
    } catch (URISyntaxException e) {
      throw new IllegalStateException("test resource " + name + ": " + e.getMessage(), e);
    }
  }

  private static Path extract(URI uri, String name) {
    try {
      FileSystem fs;
      try {
        fs = FileSystems.newFileSystem(uri, Map.of());
      } catch (FileSystemAlreadyExistsException e) {
        fs = FileSystems.getFileSystem(uri);
      }
      Path src = fs.provider().getPath(uri);
      Path dst = Files.createTempDirectory("jbert-test-resource").resolve(src.getFileName().toString());
      try (Stream<Path> all = Files.walk(src)) {
        for (Path p : (Iterable<Path>) all::iterator) {
          Path t = dst.resolve(src.relativize(p).toString());
          if (Files.isDirectory(p)) {
            Files.createDirectories(t);
          } else {
            Files.createDirectories(t.getParent());
            Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
      return dst;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot extract test resource " + name, e);
    }
  }
}
