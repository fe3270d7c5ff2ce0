package org.hessinv.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.hessinv.cli.DefaultProblem;
import org.hessinv.curvature.Curvature;
import org.hessinv.curvature.ExampleBatch;
import org.hessinv.curvature.ExampleSweep;
import org.hessinv.curvature.RPass;
import org.hessinv.data.GaussianMixture;
import org.hessinv.data.TeacherStudent;
import org.hessinv.model.Activation;
import org.hessinv.model.Example;
import org.hessinv.model.HiddenLayer;
import org.hessinv.model.MseHead;
import org.hessinv.model.Network;
import org.hessinv.model.SoftmaxHead;
import org.hessinv.spark.CurvatureSample;

/** The benchmark's fixed, seeded, generated problems. */
public final class Workloads {
    public static final double ANCHOR_DAMPING = 1e-3;
    public static final double TALL_DAMPING = 1e-3;
    /** The newton-direction job's default curvature batch (its damping default is 1e-3, its seed 0). */
    public static final int DEFAULT_DIRECTION_BATCH = 64;

    private Workloads() {}

    /** One problem instance: a network at parameters x, a curvature batch, the curvature and damping. */
    public static final class Problem {
        public final String workload;
        public final Network net;
        public final double[] x;
        public final List<Example> examples;
        public final Curvature curvature;
        public final int depth;
        public double damping;
        private ExampleBatch batch;
        private ExampleSweep[] sweeps;

        Problem(String workload, Network net, double[] x, List<Example> examples, Curvature curvature, double damping, int depth) {
            this.workload = workload;
            this.net = net;
            this.x = x;
            this.examples = examples;
            this.curvature = curvature;
            this.damping = damping;
            this.depth = depth;
        }

        public int batchSize() { return examples.size(); }

        /** The same network, parameters, examples and damping with another curvature (a fresh batch). */
        public Problem withCurvature(Curvature c) {
            return new Problem(workload, net, x, examples, c, damping, depth);
        }

        /** The in-process batch (forward and backward sweeps of every example, run once). */
        public ExampleBatch batch() {
            if (batch == null) batch = new ExampleBatch(net, x, examples, curvature);
            return batch;
        }

        /**
         * (C + damping I) v by R-pass, the examples split over the cores (the Krylov baselines' product;
         * as parallel as the dense assembly and the sweep's gemms).
         */
        public UnaryOperator<double[]> dampedProduct() {
            if (sweeps == null) {
                double w = 1.0 / examples.size();
                sweeps = examples.stream().map(e -> new ExampleSweep(net, x, e, w)).toArray(ExampleSweep[]::new);
            }
            int threads = Math.min(Runtime.getRuntime().availableProcessors(), sweeps.length);
            int n = net.paramCount();
            return v -> {
                double[] out = IntStream.range(0, threads).parallel().mapToObj(t -> {
                    double[] part = new double[n];
                    for (int i = t; i < sweeps.length; i += threads) RPass.accumulate(sweeps[i], curvature, v, part);
                    return part;
                }).reduce((a, b) -> {
                    for (int i = 0; i < a.length; i++) a[i] += b[i];
                    return a;
                }).orElseThrow();
                for (int i = 0; i < n; i++) out[i] += damping * v[i];
                return out;
            };
        }
    }

    /**
     * anchor: input 768, seven dense tanh layers of width 24, softmax head with 10 classes (8 stages,
     * 18,456 parameters in the first), GGN, damping 1e-3; examples from a seeded 10-class Gaussian mixture.
     */
    public static Problem anchor(int batch) {
        return anchorWithInput("anchor", 768, batch);
    }

    /**
     * anchor-proxy: the anchor with input 24 instead of 768 (8 stages of width 24, 4,450 parameters), i.e.
     * the anchor's stages 2..8 without the wide first layer: what the anchor costs once that layer is cheap.
     */
    public static Problem anchorProxy(int batch) {
        return anchorWithInput("anchor-proxy", 24, batch);
    }

    /** anchor-hessian: the anchor with the exact Hessian instead of the GGN (softmax head: indefinite in general). */
    public static Problem anchorHessian(int batch) {
        return anchorWithInput("anchor-hessian", 768, batch).withCurvature(Curvature.HESSIAN);
    }

    /**
     * default-direction: the problem of the default {@code newton-direction} run (no --model, --data): the built-in
     * deep-narrow preset (input 16, dense tanh 16, 63 residual tanh 16, mse head; 65 stages) at {@code --init-seed 0},
     * its curvature batch of 64 of the 4,096 teacher-student examples, chosen by the job's seeded sample (seed 0),
     * Hessian, damping 1e-3. The right-hand side here is that batch's gradient (the job's is the full data's; the
     * solve's cost does not depend on it).
     */
    public static Problem defaultDirection() {
        Network net = DefaultProblem.network();
        double[] teacher = net.initialParameters(DefaultProblem.TEACHER_SEED);
        java.util.BitSet chosen = CurvatureSample.choose(DefaultProblem.EXAMPLES, DEFAULT_DIRECTION_BATCH, 0);
        List<Example> ex = new ArrayList<>();
        for (int i = chosen.nextSetBit(0); i >= 0; i = chosen.nextSetBit(i + 1)) ex.add(DefaultProblem.example(net, teacher, i));
        return new Problem("default-direction", net, net.initialParameters(0), ex, Curvature.HESSIAN, 1e-3, net.stageCount());
    }

    /** Seven dense tanh layers of width 24 on the given input, softmax head with 10 classes, mixture data. */
    private static Problem anchorWithInput(String name, int input, int batch) {
        List<HiddenLayer> layers = new ArrayList<>();
        layers.add(HiddenLayer.dense(input, 24, Activation.TANH));
        for (int l = 1; l < 7; l++) layers.add(HiddenLayer.dense(24, 24, Activation.TANH));
        Network net = new Network(input, layers, new SoftmaxHead(24, 10));
        GaussianMixture data = new GaussianMixture(input, 10, 3.0, 1.0, 5);
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < batch; i++) ex.add(data.example(i));
        return new Problem(name, net, net.initialParameters(11), ex, Curvature.GGN, ANCHOR_DAMPING, 8);
    }

    /**
     * tall: depth residual tanh layers of width 8, input 8, mse head, 16 examples, Hessian, damping 1e-3
     * (also the problem of {@code EngineBenchmark}).
     */
    public static Problem tall(int depth) {
        int width = 8;
        List<HiddenLayer> layers = new ArrayList<>();
        for (int l = 0; l < depth; l++) layers.add(HiddenLayer.residual(width, Activation.TANH));
        Network net = new Network(width, layers, new MseHead(width, 1));
        SplittableRandom rng = new SplittableRandom(42);
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            double[] f = new double[width];
            for (int k = 0; k < width; k++) f[k] = Network.gaussian(rng);
            ex.add(new Example(f, new double[] {Network.gaussian(rng)}));
        }
        return new Problem("tall", net, net.initialParameters(7), ex, Curvature.HESSIAN, TALL_DAMPING, depth);
    }

    /**
     * conditioning: teacher-student regression (teacher: input 8, dense tanh 8 then 31 residual tanh
     * layers, 4 outputs, noise 0.1); the student has the teacher's architecture (depth 32, width 8) at its
     * own seeded initialization, 32 examples, GGN. The damping is set later from the GGN's eigenvalues to
     * reach a target condition number of {@code G + delta I}.
     */
    public static Problem conditioning() {
        TeacherStudent ts = new TeacherStudent(8, 32, 8, 4, 0.1, 3);
        Network net = ts.teacher();
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < 32; i++) ex.add(ts.example(i));
        return new Problem("conditioning", net, net.initialParameters(17), ex, Curvature.GGN, 0.0, 32);
    }

    /** delta with (lmax + delta) / (lmin + delta) = kappa, for the extreme eigenvalues of a PSD C. */
    public static double dampingFor(double kappa, double lmin, double lmax) {
        double lo = Math.max(lmin, 0.0);
        return (lmax - kappa * lo) / (kappa - 1);
    }
}
