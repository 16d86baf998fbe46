package org.jbert.core.config;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.Deserializers;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.jsontype.TypeDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.type.ReferenceType;
import com.fasterxml.jackson.databind.util.ClassUtil;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The Jackson module behind {@link ConfigMapper}. Records are bound through their canonical constructors (so their
 * validation runs) with three additions: unknown keys are refused, a missing or null key is taken from the record's
 * {@code defaults()} when it has one (else an empty {@code Optional}, list or map, a nested record's own defaults, or
 * an error), and scalars are read by this module's rules: integers refuse fractions, numbers refuse infinity and NaN,
 * enums are matched without case ({@code exact-match} is {@code EXACT_MATCH}) and written in lower case, paths are
 * plain strings, {@code Optional} is its value or null. Lenient (YAML) mode also reads numbers and booleans written
 * as strings ({@code 1e-4}) and any scalar as a string; strict (JSON) mode takes JSON's own types only.
 */
final class ConfigModule extends SimpleModule {
  private final boolean lenient;
  private final Supplier<ObjectMapper> mapper;

  ConfigModule(boolean lenient, Supplier<ObjectMapper> mapper) {
    super("jbert-config");
    this.lenient = lenient;
    this.mapper = mapper;
  }

  @Override
  public void setupModule(SetupContext context) {
    super.setupModule(context);
    context.addDeserializers(new Finder());
    context.addBeanDeserializerModifier(new BeanDeserializerModifier() {
      @Override
      public JsonDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription desc,
          JsonDeserializer<?> deserializer) {
        Class<?> c = desc.getBeanClass();
        return c.isRecord() ? new RecordDefaults(deserializer, c, mapper) : deserializer;
      }
    });
    SimpleModule writers = new SimpleModule();
    writers.addSerializer(Path.class, new StdSerializer<>(Path.class) {
      @Override
      public void serialize(Path v, JsonGenerator g, SerializerProvider p) throws IOException {
        g.writeString(v.toString());
      }
    });
    @SuppressWarnings({"unchecked", "rawtypes"})
    Class<Enum<?>> enums = (Class) Enum.class;
    writers.addSerializer(enums, new StdSerializer<>(enums) {
      @Override
      public void serialize(Enum<?> v, JsonGenerator g, SerializerProvider p) throws IOException {
        g.writeString(v.name().toLowerCase(Locale.ROOT));
      }
    });
    @SuppressWarnings({"unchecked", "rawtypes"})
    Class<Optional<?>> optional = (Class) Optional.class;
    writers.addSerializer(optional, new StdSerializer<>(optional) {
      @Override
      public void serialize(Optional<?> v, JsonGenerator g, SerializerProvider p) throws IOException {
        if (v.isPresent()) p.defaultSerializeValue(v.get(), g);
        else g.writeNull();
      }
    });
    writers.setupModule(context);
  }

  /** Finds this module's deserializers for scalars, enums, paths and optionals. */
  private final class Finder extends Deserializers.Base {
    @Override
    public JsonDeserializer<?> findBeanDeserializer(JavaType type, DeserializationConfig config,
        BeanDescription desc) {
      Class<?> c = type.getRawClass();
      if (c == Optional.class) return new OptionalValue(type.containedTypeOrUnknown(0));
      return Scalar.handles(c) ? new Scalar(c, lenient) : null;
    }

    @Override
    public JsonDeserializer<?> findReferenceDeserializer(ReferenceType type, DeserializationConfig config,
        BeanDescription desc, TypeDeserializer typeDeserializer, JsonDeserializer<?> contentDeserializer) {
      return type.getRawClass() == Optional.class ? new OptionalValue(type.getContentType()) : null;
    }

    @Override
    public JsonDeserializer<?> findEnumDeserializer(Class<?> type, DeserializationConfig config,
        BeanDescription desc) {
      return new Scalar(type, lenient);
    }
  }

  /** {@code Optional<T>}: null is empty, anything else is T's value. */
  private static final class OptionalValue extends StdDeserializer<Optional<?>> {
    private final JavaType content;

    OptionalValue(JavaType content) {
      super(Optional.class);
      this.content = content;
    }

    @Override
    public Optional<?> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() == JsonToken.VALUE_EMBEDDED_OBJECT && p.getEmbeddedObject() instanceof Optional<?> d) {
        return d;  // a default
      }
      return Optional.ofNullable(ctxt.findRootValueDeserializer(content).deserialize(p, ctxt));
    }

    @Override
    public Optional<?> getNullValue(DeserializationContext ctxt) {
      return Optional.empty();
    }
  }

  /** Strings, numbers, booleans, enums and paths, read from the value's tree node. */
  private static final class Scalar extends StdDeserializer<Object> {
    private final Class<?> c;
    private final boolean lenient;

    Scalar(Class<?> c, boolean lenient) {
      super(c);
      this.c = c;
      this.lenient = lenient;
    }

    static boolean handles(Class<?> c) {
      return c == String.class || c == Path.class || c.isEnum() || c == boolean.class || c == Boolean.class
          || c == int.class || c == Integer.class || c == long.class || c == Long.class || c == double.class
          || c == Double.class || c == float.class || c == Float.class;
    }

    @Override
    public Object getNullValue(DeserializationContext ctxt) {
      throw ConfigProblem.mismatch();
    }

    @Override
    public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonNode n = ctxt.readTree(p);
      Object v = n == null || n.isNull() ? null : convert(n);
      if (v == null) throw ConfigProblem.mismatch();
      return v;
    }

    private Object convert(JsonNode n) {
      if (n instanceof POJONode d) {  // a default
        Object v = d.getPojo();
        return (c.isPrimitive() ? ClassUtil.wrapperType(c) : c).isInstance(v) ? v : null;
      }
      if (c == String.class) return n.isTextual() || (lenient && n.isValueNode()) ? n.asText() : null;
      if (c == Path.class) return n.isTextual() && !n.asText().isEmpty() ? Path.of(n.asText()) : null;
      if (c == boolean.class || c == Boolean.class) {
        if (n.isBoolean()) return n.booleanValue();
        boolean text = lenient && n.isTextual() && (n.asText().equals("true") || n.asText().equals("false"));
        return text ? Boolean.valueOf(n.asText()) : null;
      }
      if (c == int.class || c == Integer.class || c == long.class || c == Long.class) {
        Long v = integral(n);
        boolean isInt = c == int.class || c == Integer.class;
        if (v == null || (isInt && (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE))) return null;
        return isInt ? (Object) v.intValue() : (Object) v;
      }
      if (c == double.class || c == Double.class || c == float.class || c == Float.class) {
        Double v = number(n);
        if (v != null && !Double.isFinite(v)) throw ConfigProblem.notFinite(v);
        return v == null ? null : c == float.class || c == Float.class ? (Object) v.floatValue() : (Object) v;
      }
      if (n.isTextual()) {  // an enum
        String want = n.asText().trim().replace('-', '_');
        for (Object k : c.getEnumConstants()) if (((Enum<?>) k).name().equalsIgnoreCase(want)) return k;
      }
      return null;
    }

    private Long integral(JsonNode n) {
      if (n.isIntegralNumber()) return n.canConvertToLong() ? n.longValue() : null;
      Double d = n.isFloatingPointNumber() || (lenient && n.isTextual()) ? number(n) : null;
      if (lenient && n.isTextual()) {
        try {
          return Long.parseLong(n.asText().trim().replace("_", ""));
        } catch (NumberFormatException e) {
          // a float written as text, such as 1e3: below
        }
      }
      return d != null && d == Math.rint(d) && Math.abs(d) < 9.0e15 ? (Long) (long) (double) d : null;
    }

    private Double number(JsonNode n) {
      if (n.isNumber()) return n.doubleValue();
      if (!lenient || !n.isTextual()) return null;
      String s = n.asText().trim();
      String lower = s.toLowerCase(Locale.ROOT);
      if (lower.equals(".inf") || lower.equals("+.inf")) return Double.POSITIVE_INFINITY;
      if (lower.equals("-.inf")) return Double.NEGATIVE_INFINITY;
      if (lower.equals(".nan")) return Double.NaN;
      if (!s.matches("[-+]?(\\d[\\d_]*\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) return null;
      return Double.parseDouble(s.replace("_", ""));
    }
  }

  /**
   * Wraps Jackson's record deserializer: refuses unknown keys, fills missing ones (defaults, empty optionals and
   * collections, nested records' defaults), then lets Jackson build the record through its canonical constructor.
   */
  private static final class RecordDefaults extends DelegatingDeserializer {
    private final Class<?> type;
    private final Supplier<ObjectMapper> mapper;

    RecordDefaults(JsonDeserializer<?> delegate, Class<?> type, Supplier<ObjectMapper> mapper) {
      super(delegate);
      this.type = type;
      this.mapper = mapper;
    }

    @Override
    protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> delegate) {
      return new RecordDefaults(delegate, type, mapper);
    }

    @Override
    public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonNode n = ctxt.readTree(p);
      if (n instanceof POJONode d && type.isInstance(d.getPojo())) return d.getPojo();  // a default
      if (n == null || n.isNull()) n = JsonNodeFactory.instance.objectNode();
      JsonParser filled = fill(n).traverse(p.getCodec());
      filled.nextToken();
      return _delegatee.deserialize(filled, ctxt);
    }

    @Override
    public Object deserializeWithType(JsonParser p, DeserializationContext ctxt, TypeDeserializer typeDeserializer)
        throws IOException {
      return deserialize(p, ctxt);
    }

    private ObjectNode fill(JsonNode n) {
      if (!n.isObject()) throw ConfigProblem.mismatch();
      for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (ConfigTypes.component(type, key) == null) throw ConfigProblem.unknownKey(key, type);
      }
      Object defaults = ConfigTypes.defaults(type);
      JsonNodeFactory f = JsonNodeFactory.instance;
      ObjectNode out = f.objectNode();
      for (RecordComponent c : type.getRecordComponents()) {
        String key = ConfigTypes.snake(c.getName());
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
          Class<?> t = c.getType();
          if (defaults != null) {
            v = defaultValue(c, defaults);
          } else if (t == Optional.class) {
            v = f.nullNode();
          } else if (t == List.class) {
            v = f.arrayNode();
          } else if (t == Map.class) {
            v = f.objectNode();
          } else if (t.isRecord() && v == null && ConfigTypes.defaults(t) != null) {
            v = f.objectNode();
          } else {
            throw ConfigProblem.missingKey(key, c.getGenericType());
          }
        }
        out.set(key, v);
      }
      return out;
    }

    /**
     * The value of component {@code c} in {@code defaults}: the object itself (it is not validated again, e.g. an
     * empty default path), or as a tree for a list or map, which Jackson reads only from one.
     */
    private JsonNode defaultValue(RecordComponent c, Object defaults) {
      Object v;
      try {
        Method m = c.getAccessor();
        m.setAccessible(true);
        v = m.invoke(defaults);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
      if (v == null) return JsonNodeFactory.instance.nullNode();
      if (v instanceof List<?> || v instanceof Map<?, ?>) return mapper.get().valueToTree(v);
      return JsonNodeFactory.instance.pojoNode(v);
    }
  }
}
