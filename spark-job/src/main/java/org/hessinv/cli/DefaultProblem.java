package org.hessinv.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.hessinv.curvature.ExampleSweep;
import org.hessinv.model.Example;
import org.hessinv.model.ModelSpec;
import org.hessinv.model.Network;

/**
 * The built-in default problem: the deep-narrow preset (input 16, 64 tanh layers of width 16, mse head)
 * and teacher-student regression data: y = teacher(f) + noise, teacher = the same architecture at
 * parameters drawn with {@link #TEACHER_SEED}, f ~ N(0, I), all from (seed, example index) alone.
 */
public final class DefaultProblem {
    public static final String PRESET = "/org/hessinv/presets/deep-narrow.json";
    public static final int EXAMPLES = 4096;
    public static final long TEACHER_SEED = 1234;
    public static final double NOISE = 0.1;

    private DefaultProblem() {}

    public static Network network() {
        try (InputStream in = DefaultProblem.class.getResourceAsStream(PRESET)) {
            if (in == null) throw new IllegalStateException("missing resource " + PRESET);
            return ModelSpec.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Example i of the default data set. */
    public static Example example(Network net, double[] teacher, long i) {
        SplittableRandom rng = new SplittableRandom(TEACHER_SEED ^ (i * 0x9E3779B97F4A7C15L));
        double[] f = new double[net.inputSize()];
        for (int k = 0; k < f.length; k++) f[k] = Network.gaussian(rng);
        int outputs = net.head().units();
        double[] y = new double[outputs];
        double[] u = new ExampleSweep(net, teacher, new Example(f, y), 1.0).output();
        for (int k = 0; k < outputs; k++) y[k] = u[k] + NOISE * Network.gaussian(rng);
        return new Example(f, y);
    }
}
