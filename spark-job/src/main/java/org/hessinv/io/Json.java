package org.hessinv.io;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import org.hessinv.model.InvalidInputException;

/**
 * The project's JSON files (reports, run settings, checkpoint state, standardization) as typed records,
 * by Jackson: indented, non-finite numbers written as the strings "NaN" / "Infinity" (read back as numbers),
 * unknown fields refused on reading.
 */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

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
