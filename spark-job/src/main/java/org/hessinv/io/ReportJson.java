package org.hessinv.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Writes a report (nested maps, lists, numbers, strings) as pretty JSON. Non-finite numbers become strings. */
public final class ReportJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ReportJson() {}

    public static void write(Path file, Map<String, Object> report) throws IOException {
        JSON.writeValue(file.toFile(), report);
    }

    public static String toJson(Map<String, Object> report) {
        try {
            return JSON.writeValueAsString(report);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
