package org.hessinv.io;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.hessinv.model.InvalidInputException;

/**
 * The project's JSON files (reports, run settings, checkpoint state, standardization) as typed records,
 * by Jackson: indented, non-finite numbers written as the strings "NaN" / "Infinity" (read back as numbers),
 * unknown fields refused on reading; an {@link Optional} field is its value, or null when empty (left out when
 * annotated {@code @JsonInclude(NON_EMPTY)}), and null or absent reads back as empty.
 */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .registerModule(new SimpleModule("optional-as-value-or-null")
                    .addSerializer(optionalClass(), new OptionalWriter())
                    .addDeserializer(optionalClass(), new OptionalReader(null)));

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Class<Optional<?>> optionalClass() { return (Class) Optional.class; }

    /** An Optional as its value, or null when empty (and "empty" for {@code @JsonInclude(NON_EMPTY)}: then left out). */
    private static final class OptionalWriter extends StdSerializer<Optional<?>> {
        OptionalWriter() { super(optionalClass()); }

        @Override public boolean isEmpty(SerializerProvider provider, Optional<?> value) { return value == null || value.isEmpty(); }

        @Override public void serialize(Optional<?> value, JsonGenerator g, SerializerProvider provider) throws IOException {
            if (value.isPresent()) provider.defaultSerializeValue(value.get(), g);
            else g.writeNull();
        }
    }

    /** A value, or null or an absent field as empty, read as an Optional of the property's declared content type. */
    private static final class OptionalReader extends JsonDeserializer<Optional<?>> implements ContextualDeserializer {
        private final JavaType content;

        OptionalReader(JavaType content) { this.content = content; }

        @Override public JsonDeserializer<?> createContextual(DeserializationContext ctxt, BeanProperty property) {
            JavaType type = property != null ? property.getType() : ctxt.getContextualType();
            return new OptionalReader(type.containedTypeOrUnknown(0));
        }

        @Override public Optional<?> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return Optional.ofNullable(ctxt.readValue(p, content));
        }

        @Override public Optional<?> getNullValue(DeserializationContext ctxt) { return Optional.empty(); }

        @Override public Object getAbsentValue(DeserializationContext ctxt) { return Optional.empty(); }
    }

    private Json() {}

    public static void write(Path file, Object value) throws IOException { MAPPER.writeValue(file.toFile(), value); }

    /** Reads a record of {@code type}; a missing or malformed file is bad input naming the file. */
    public static <T> T read(Path file, Class<T> type) {
        try {
            return MAPPER.readValue(file.toFile(), type);
        } catch (IOException e) {
            throw new InvalidInputException("cannot read " + file + " as " + type.getSimpleName() + ": "
                    + e.getMessage().lines().findFirst().orElse("") + "; give a file written by hessinv");
        }
    }
}
