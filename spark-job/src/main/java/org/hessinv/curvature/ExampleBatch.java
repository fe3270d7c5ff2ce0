package org.hessinv.curvature;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.hessinv.model.Example;
import org.hessinv.model.Network;

/**
 * A batch of examples with weights w_i = 1/B at parameters x, in process: the objective
 * {@code F(x) = sum_i w_i loss_i(x)}, its gradient, curvature-vector products by R-pass, and the
 * per-stage blocks for the solver ({@link StageSource}).
 */
public final class ExampleBatch implements StageSource {
    private final Network net;
    private final double[] x;
    private final List<Example> examples;
    private final Curvature curvature;
    private final ExampleSweep[] sweeps;

    /** Validates x and every example, then runs each example's forward and backward sweeps once. */
    public ExampleBatch(Network net, double[] x, List<Example> examples, Curvature curvature) {
        if (examples.isEmpty()) throw new org.hessinv.model.InvalidInputException("the batch has no examples; give at least one");
        net.validateParameters(x);
        for (int i = 0; i < examples.size(); i++) net.validateExample(examples.get(i), i);
        this.net = net;
        this.x = x;
        this.examples = List.copyOf(examples);
        this.curvature = curvature;
        double w = 1.0 / examples.size();
        this.sweeps = IntStream.range(0, examples.size()).parallel()
                .mapToObj(i -> new ExampleSweep(net, x, examples.get(i), w)).toArray(ExampleSweep[]::new);
    }

    public Network network() { return net; }

    public double[] parameters() { return x; }

    public Curvature curvature() { return curvature; }

    public int size() { return examples.size(); }

    /** The examples, in batch order (unmodifiable). */
    public List<Example> examples() { return examples; }

    /** F(x) = (1/B) sum_i loss_i. */
    public double loss() {
        double s = 0;
        for (ExampleSweep e : sweeps) s += e.loss();
        return s / sweeps.length;
    }

    /** g = dF/dx. */
    public double[] gradient() {
        double[] g = new double[net.paramCount()];
        for (ExampleSweep e : sweeps) e.accumulateGradient(g);
        return g;
    }

    /** C v by R-pass (no blocks formed). */
    public double[] curvatureTimes(double[] v) {
        double[] out = new double[net.paramCount()];
        for (ExampleSweep e : sweeps) RPass.accumulate(e, curvature, v, out);
        return out;
    }

    /** (C + delta I) v. */
    public double[] dampedCurvatureTimes(double[] v, double delta) {
        double[] out = curvatureTimes(v);
        for (int i = 0; i < out.length; i++) out[i] += delta * v[i];
        return out;
    }

    /** ||(C + delta I) d - r|| / ||r||, by R-pass. */
    public double relativeResidual(double[] d, double delta, double[] r) {
        double[] cd = dampedCurvatureTimes(d, delta);
        double num = 0, den = 0;
        for (int i = 0; i < r.length; i++) {
            double e = cd[i] - r[i];
            num += e * e;
            den += r[i] * r[i];
        }
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
    }

    /** The factored records of stage l, one per example in batch order. */
    public List<StageRecord> records(int l) {
        List<StageRecord> out = new ArrayList<>(sweeps.length);
        for (ExampleSweep e : sweeps) out.add(e.record(l, curvature));
        return out;
    }

    @Override public int stageCount() { return net.stageCount(); }

    @Override public int paramCount(int l) { return net.stage(l).paramCount(); }

    @Override public LayerStage stage(int l) { return LayerStage.assemble(net, x, l, records(l), null); }
}
