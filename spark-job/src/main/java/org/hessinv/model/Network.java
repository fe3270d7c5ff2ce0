package org.hessinv.model;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A network {@code z_l = f_l(z_{l-1}; x_l)}, {@code l = 1..L}: hidden layers then the loss head
 * (stage L). Parameters are one flat vector laid out stage by stage, each stage W (row-major) then c.
 */
public final class Network implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int inputSize;
    private final List<AffineStage> stages;
    private final List<HiddenLayer> hidden;
    private final Head head;
    private final int[] offsets;

    public Network(int inputSize, List<HiddenLayer> hidden, Head head) {
        if (inputSize <= 0) throw new InvalidInputException("\"input\" must be a positive integer, got " + inputSize);
        List<AffineStage> all = new ArrayList<>(hidden);
        all.add(head);
        int width = inputSize;
        for (int l = 0; l < all.size(); l++) {
            AffineStage s = all.get(l);
            if (s.inputSize() != width) {
                throw new InvalidInputException("stage " + (l + 1) + " (" + s.describe() + ") expects input " + s.inputSize()
                        + " but receives " + width);
            }
            width = s.outputSize();
        }
        this.inputSize = inputSize;
        this.stages = Collections.unmodifiableList(all);
        this.hidden = List.copyOf(hidden);
        this.head = head;
        this.offsets = new int[all.size() + 1];
        for (int l = 0; l < all.size(); l++) offsets[l + 1] = offsets[l] + all.get(l).paramCount();
    }

    public int inputSize() { return inputSize; }

    /** L: hidden layers plus the head. */
    public int stageCount() { return stages.size(); }

    /** Stage l, 0-based (the paper's layer l+1). */
    public AffineStage stage(int l) { return stages.get(l); }

    public List<AffineStage> stages() { return stages; }

    /** Hidden layer l, 0-based (l < stageCount() - 1). */
    public HiddenLayer hidden(int l) { return hidden.get(l); }

    public Head head() { return head; }

    public int paramCount() { return offsets[offsets.length - 1]; }

    /** Offset of stage l's parameters in the flat vector. */
    public int paramOffset(int l) { return offsets[l]; }

    /** Largest stage width (inputs, units), for sizing scratch arrays. */
    public int maxWidth() {
        int m = inputSize;
        for (AffineStage s : stages) m = Math.max(m, Math.max(s.units(), s.inputSize()));
        return m;
    }

    /** Checks a parameter vector: length and finiteness. */
    public void validateParameters(double[] x) {
        if (x.length != paramCount()) {
            throw new InvalidInputException("parameter vector has " + x.length + " entries but the model needs " + paramCount()
                    + "; check that the parameters were made for this model spec");
        }
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i])) {
                throw new InvalidInputException("parameter " + i + " (stage " + (stageOf(i) + 1) + ") is " + x[i]
                        + "; parameters must be finite");
            }
        }
    }

    /** Checks one example against the input size and the head's response format. */
    public void validateExample(Example e, long index) {
        if (e.features().length != inputSize) {
            throw new InvalidInputException("example " + index + " has " + e.features().length + " features but the model input is "
                    + inputSize + "; match the data to the model spec's \"input\"");
        }
        for (int k = 0; k < inputSize; k++) {
            if (!Double.isFinite(e.features()[k])) {
                throw new InvalidInputException("example " + index + " feature " + k + " is " + e.features()[k] + "; clean the data (no NaN or infinite features)");
            }
        }
        head().validateResponse(e.response(), index);
    }

    /** u_L = W_L z_{L-1} + c_L: the network output at x for one input (forward pass only). */
    public double[] output(double[] x, double[] features) {
        double[] z = features;
        for (int l = 0; l < hidden.size(); l++) {
            HiddenLayer h = hidden.get(l);
            double[] u = new double[h.units()];
            h.affine(x, offsets[l], z, u);
            double[] out = new double[h.units()];
            h.output(z, u, out);
            z = out;
        }
        double[] u = new double[head.units()];
        head.affine(x, offsets[hidden.size()], z, u);
        return u;
    }

    /** loss_i(x), the example's loss at x (forward pass only). */
    public double loss(double[] x, Example e) { return head().loss(output(x, e.features()), e.response()); }

    /** The stage holding flat parameter index i. */
    public int stageOf(int i) {
        for (int l = 0; l < stages.size(); l++) if (i < offsets[l + 1]) return l;
        throw new IndexOutOfBoundsException(i);
    }

    /**
     * Seeded initializer: W ~ N(0, gain^2 / inputs), c ~ N(0, 0.1^2); gain 1, and 1/sqrt(R) on the
     * branches of the R residual layers, so the residual stack keeps the activation scale bounded (~e).
     * Square-parameterized stages: gains 1 + 0.1 N(0, 1), biases 0.1 N(0, 1).
     */
    public double[] initialParameters(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] x = new double[paramCount()];
        long residuals = hidden.stream().filter(HiddenLayer::isResidual).count();
        double residualGain = 1.0 / Math.sqrt(Math.max(1, residuals));
        for (int l = 0; l < stages.size(); l++) stages.get(l).initialize(rng, residualGain, x, offsets[l]);
        return x;
    }

    /** Standard normal by Box-Muller, reproducible across JVMs. */
    public static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2.0 * Math.log1p(-u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    public String describe() {
        // runs of identical stages as "R x stage"
        StringBuilder b = new StringBuilder("input " + inputSize);
        for (int l = 0; l < stages.size(); ) {
            String d = stages.get(l).describe();
            int run = 1;
            while (l + run < stages.size() && stages.get(l + run).describe().equals(d)) run++;
            b.append(" -> ").append(run > 1 ? run + " x " : "").append(d);
            l += run;
        }
        return b.append(" (").append(paramCount()).append(" parameters)").toString();
    }
}
