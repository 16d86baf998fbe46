package org.jbert.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A minimal safetensors reader for tests (F32 only): 8-byte little-endian header length, a JSON header of
 * {name: {dtype, shape, data_offsets}}, then raw little-endian data. Kept in test code so these tests do not depend on
 * the weights package.
 */
final class TestSafetensors {
  private TestSafetensors() {}

  record Tensor(long[] shape, float[] data) {}

  static Map<String, Tensor> read(String resource) throws IOException {
    byte[] all;
    try (InputStream in = TestSafetensors.class.getResourceAsStream(resource)) {
      if (in == null) throw new IOException("no test resource " + resource);
      all = in.readAllBytes();
    }
    ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    int headerLen = (int) b.getLong(0);
    JsonNode header = new ObjectMapper().readTree(new String(all, 8, headerLen, StandardCharsets.UTF_8));
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("__metadata__")) continue;
      if (!e.getValue().get("dtype").asText().equals("F32")) throw new IOException(e.getKey() + " is not F32");
      JsonNode sh = e.getValue().get("shape");
      long[] shape = new long[sh.size()];
      for (int i = 0; i < shape.length; i++) shape[i] = sh.get(i).asLong();
      int begin = e.getValue().get("data_offsets").get(0).asInt();
      int end = e.getValue().get("data_offsets").get(1).asInt();
      float[] data = new float[(end - begin) / 4];
      ByteBuffer slice = ByteBuffer.wrap(all, 8 + headerLen + begin, end - begin).order(ByteOrder.LITTLE_ENDIAN);
      slice.asFloatBuffer().get(data);
      out.put(e.getKey(), new Tensor(shape, data));
    }
    return out;
  }
}
