package org.jbert.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jbert.core.JbertException;

/** Reading a JSON file whose top level is an object, with errors that name the file. */
public final class JsonFiles {
  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonFiles() {}

  /** The object in {@code file}; a missing file, invalid JSON or a non-object is a one-line error naming it. */
  public static ObjectNode readObject(Path file) {
    if (!Files.isRegularFile(file)) throw new JbertException(file + ": file not found");
    try {
      JsonNode n = JSON.readTree(file.toFile());
      if (n == null || !n.isObject()) throw new JbertException(file + ": expected a JSON object");
      return (ObjectNode) n;
    } catch (IOException e) {
      throw new JbertException(file + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
    }
  }
}
