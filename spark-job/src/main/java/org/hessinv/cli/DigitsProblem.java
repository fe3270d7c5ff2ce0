package org.hessinv.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.hessinv.model.Example;
import org.hessinv.model.ModelSpec;
import org.hessinv.model.Network;

/**
 * The built-in real problem of {@code train}: the UCI handwritten digits (1,797 8x8 images, 64 pixel
 * counts, labels 0..9; data/digits.csv, CC BY 4.0) and the digits preset (a dense tanh layer and 15
 * residual tanh layers of width 16, softmax head).
 */
public final class DigitsProblem {
    public static final String PRESET = "/org/hessinv/presets/digits.json";
    public static final String DATA = "/org/hessinv/data/digits.csv";
    /** Held out for validation in the default run. */
    public static final double VALIDATION_FRACTION = 0.2;

    private DigitsProblem() {}

    public static String modelJson() { return resource(PRESET); }

    public static Network network() { return ModelSpec.parse(modelJson()); }

    /** The examples in file order: features p0..p63, response {label}. */
    public static List<Example> examples() {
        List<Example> out = new ArrayList<>();
        for (String line : resource(DATA).split("\n")) {
            if (line.isBlank() || line.startsWith("label")) continue;
            String[] c = line.strip().split(",");
            double[] f = new double[c.length - 1];
            for (int k = 1; k < c.length; k++) f[k - 1] = Double.parseDouble(c[k]);
            out.add(new Example(f, new double[] {Double.parseDouble(c[0])}));
        }
        return out;
    }

    private static String resource(String name) {
        try (InputStream in = DigitsProblem.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
