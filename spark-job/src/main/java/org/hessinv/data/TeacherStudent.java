package org.hessinv.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.hessinv.model.Activation;
import org.hessinv.model.Example;
import org.hessinv.model.HiddenLayer;
import org.hessinv.model.InvalidInputException;
import org.hessinv.model.MseHead;
import org.hessinv.model.Network;

/**
 * Teacher-student regression: a random deep "teacher" network
 * {@code x -> dense(W, tanh) -> (depth-1) x residual(W, tanh) -> linear(k)} with seeded weights; example
 * {@code i} has features {@code x_i ~ N(0, I_D)} and targets {@code y_i = teacher(x_i) + noise * N(0, I_k)}.
 *
 * <p>Teacher weights: dense {@code W ~ N(0, 1/D)}; residual branches {@code W ~ N(0, 1/(W depth))}, so
 * the residual stream grows like O(1) over the depth; output {@code W ~ N(0, 1/width)}; biases
 * {@code ~ N(0, 0.1^2)}. Depth 0 gives a linear teacher. The teacher is an ordinary {@link Network} with
 * an mse head, so {@link #teacher()} and {@link #teacherParameters()} can be fed to the engine (the
 * student started at the teacher has a small gradient, set by the noise).
 */
public final class TeacherStudent implements SyntheticData {
    private static final long serialVersionUID = 1L;

    private final int features;
    private final int depth;
    private final int width;
    private final int outputs;
    private final double noise;
    private final long seed;
    private final Network teacher;
    private final double[] params;

    public TeacherStudent(int features, int depth, int width, int outputs, double noise, long seed) {
        if (features <= 0) throw new InvalidInputException("the number of features must be positive, got " + features);
        if (depth < 0) throw new InvalidInputException("the teacher depth must be >= 0, got " + depth);
        if (depth > 0 && width <= 0) throw new InvalidInputException("the teacher width must be positive, got " + width);
        if (outputs <= 0) throw new InvalidInputException("the number of outputs must be positive, got " + outputs);
        if (!(noise >= 0) || Double.isInfinite(noise)) throw new InvalidInputException("the noise must be a finite number >= 0, got " + noise);
        this.features = features;
        this.depth = depth;
        this.width = depth == 0 ? features : width;
        this.outputs = outputs;
        this.noise = noise;
        this.seed = seed;
        List<HiddenLayer> hidden = new ArrayList<>();
        for (int l = 0; l < depth; l++) {
            hidden.add(l == 0 ? HiddenLayer.dense(features, width, Activation.TANH) : HiddenLayer.residual(width, Activation.TANH));
        }
        this.teacher = new Network(features, hidden, new MseHead(this.width, outputs));
        this.params = teacherWeights(teacher, depth, seed);
    }

    private static double[] teacherWeights(Network net, int depth, long seed) {
        SplittableRandom rng = Seeds.random(seed, Seeds.STRUCTURE, 0);
        double[] x = new double[net.paramCount()];
        for (int l = 0; l < net.stageCount(); l++) {
            var s = net.stage(l);
            boolean residual = s instanceof HiddenLayer h && h.isResidual();
            double scale = (residual ? 1.0 / Math.sqrt(depth) : 1.0) / Math.sqrt(s.inputSize());
            int off = net.paramOffset(l);
            for (int i = 0; i < s.biasOffset(); i++) x[off + i] = scale * Network.gaussian(rng);
            for (int j = 0; j < s.units(); j++) x[off + s.biasOffset() + j] = 0.1 * Network.gaussian(rng);
        }
        return x;
    }

    /** The teacher network (its mse head has {@code outputs} outputs). */
    public Network teacher() { return teacher; }

    /** A copy of the teacher's parameters, laid out as {@link Network} expects. */
    public double[] teacherParameters() { return params.clone(); }

    /** The noiseless teacher output at {@code input}. */
    public double[] teacherOutput(double[] input) {
        if (input.length != features) throw new InvalidInputException("teacher input has " + input.length + " values, expected " + features);
        double[] z = input;
        for (int l = 0; l < teacher.stageCount(); l++) {
            var s = teacher.stage(l);
            double[] u = new double[s.units()];
            s.affine(params, teacher.paramOffset(l), z, u);
            if (s instanceof HiddenLayer h) {
                double[] out = new double[h.units()];
                h.output(z, u, out);
                z = out;
            } else {
                z = u;
            }
        }
        return z;
    }

    @Override public Example example(long i) {
        if (i < 0) throw new IllegalArgumentException("example index must be >= 0, got " + i);
        SplittableRandom rng = Seeds.random(seed, Seeds.EXAMPLES, i);
        double[] x = new double[features];
        for (int k = 0; k < features; k++) x[k] = Network.gaussian(rng);
        double[] y = teacherOutput(x);
        for (int k = 0; k < outputs; k++) y[k] += noise * Network.gaussian(rng);
        return new Example(x, y);
    }

    @Override public int featureCount() { return features; }

    @Override public boolean classification() { return false; }

    @Override public int responseCount() { return outputs; }

    public int depth() { return depth; }

    public int width() { return width; }

    public double noise() { return noise; }

    public long seed() { return seed; }

    @Override public String describe() {
        String layers = depth == 0 ? "linear"
                : "dense(" + width + ", tanh)" + (depth > 1 ? " + " + (depth - 1) + " x residual(" + width + ", tanh)" : "");
        return "teacher-student regression: input " + features + ", teacher " + layers + ", " + outputs + " output"
                + (outputs == 1 ? "" : "s") + " (" + teacher.paramCount() + " parameters), noise " + noise + ", seed " + seed;
    }
}
