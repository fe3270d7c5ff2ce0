package org.hessinv.curvature;

import java.util.List;
import org.hessinv.model.AffineMap;
import org.hessinv.model.AffineStage;
import org.hessinv.model.Example;
import org.hessinv.model.Head;
import org.hessinv.model.Network;
import org.hessinv.model.Tanh;

/**
 * The forward and backward sweeps of {@link ExampleSweep} for a block of B examples at once, as matrix
 * products: the block's stage inputs are a column-major {@code a x B} matrix Z (one column per example),
 * each stage's affine map is one gemm {@code U = Weff Z (+ c)}, the activations are elementwise, the
 * adjoint {@code Lambda_{l-1} = Weff_l^T G_l} is one gemm per stage and the weight gradient summed over the
 * block {@code G_l Z_{l-1}^T} is one gemm per stage. Every stage kind of the model package is done exactly:
 * dense and residual layers, square gain ({@code u = x * (W z)}) and bias ({@code u = W z + x}) layers and
 * heads with their frozen W, the mse and softmax heads.
 *
 * <p>Same numbers as the per-example path to rounding: the order of the additions inside each dot product
 * (and of the block sums of the bias and square-parameter gradients) differs, and tanh is {@link Tanh#tanh}
 * (basic operations only, within 4 ulp of Math.tanh, 3x cheaper than its JNI call) with
 * {@code s' = 1 - s^2} of that value; every other operation (the other activations, their derivatives through
 * {@link org.hessinv.model.Activation#d1FromValue}, the head's loss and gradient) is the same expression on the same operands. The one intended difference: the per-example path skips a zero adjoint
 * entry in {@code Weff^T g}, which only matters when a weight is infinite or NaN (0 * inf).
 *
 * <p>Not thread-safe: one instance per task (it keeps the block's matrices as scratch, about
 * {@code 3 B sum_l (a_{l-1} + units_l)} doubles).
 */
public final class BlockSweep {
    /**
     * Examples per block of the data passes: block b holds the examples of indices [b S, (b+1) S). A
     * block's contribution is a function of its examples alone, so passes that sum blocks (not partitions)
     * give the same bits for any partitioning (see ReproducibleReduction#sumOverBlocks).
     */
    public static final int BLOCK_SIZE = 256;

    private final Network net;
    private final double[] x;
    private final int stages;
    private final int capacity;
    /** Z_{l-1}: stage l's input, inputs_l x B (stage 0's is the block's features). */
    private final double[][] zIn;
    /** s'(U_l) of hidden stage l (units x B); the head's: its gradient G. */
    private final double[][] deriv;
    /** The affine map's block scratch of each stage ({@link AffineMap#newBlockScratch}: W Z of a gain stage). */
    private final double[][] scratch;
    /** The adjoint G_l of U_l, units x B. */
    private final double[] g;
    /** The adjoints of Z_{l-1} and of Z_l (swapped going down). */
    private double[] lambdaIn;
    private double[] lambdaOut;
    /** The head's output U_L (units x B). */
    private final double[] out;
    private int rows;

    public BlockSweep(Network net, double[] x) { this(net, x, BLOCK_SIZE); }

    /** Scratch for blocks of up to {@code capacity} examples. */
    public BlockSweep(Network net, double[] x, int capacity) {
        if (capacity <= 0) throw new IllegalArgumentException("block capacity must be positive, got " + capacity);
        this.net = net;
        this.x = x;
        this.stages = net.stageCount();
        this.capacity = capacity;
        zIn = new double[stages][];
        deriv = new double[stages][];
        scratch = new double[stages][];
        int w = net.maxWidth();
        for (int l = 0; l < stages; l++) {
            AffineStage s = net.stage(l);
            zIn[l] = new double[s.inputSize() * capacity];
            deriv[l] = new double[s.units() * capacity];
            scratch[l] = s.affineMap().newBlockScratch(capacity);
        }
        g = new double[w * capacity];
        lambdaIn = new double[w * capacity];
        lambdaOut = new double[w * capacity];
        out = new double[net.head().units() * capacity];
    }

    /** Examples in the block last swept. */
    public int size() { return rows; }

    /**
     * The forward sweep of the block: fills the stage inputs, the hidden stages' s'(U) (when {@code derivatives})
     * and the head's output U_L.
     */
    private void forward(List<Example> block, boolean derivatives) {
        int b = block.size();
        if (b == 0 || b > capacity) throw new IllegalArgumentException("block of " + b + " examples, capacity " + capacity);
        rows = b;
        int in = net.inputSize();
        double[] z0 = zIn[0];
        for (int e = 0; e < b; e++) System.arraycopy(block.get(e).features(), 0, z0, e * in, in);
        for (int l = 0; l < stages; l++) {
            AffineStage s = net.stage(l);
            double[] z = zIn[l];
            double[] u = l == stages - 1 ? out : zIn[l + 1];
            // U = Weff Z + ceff, into the next stage's input (overwritten by f(U) below) or the output
            s.affineMap().blockApply(x, net.paramOffset(l), z, u, b, scratch[l]);
            if (l < stages - 1) net.hidden(l).blockActivate(u, z, derivatives ? deriv[l] : null, s.units() * b);
        }
    }

    /** sum over the block of loss_i(x) (forward sweeps only), the examples' losses added in block order. */
    public double loss(List<Example> block) {
        forward(block, false);
        return headLoss(block, null);
    }

    /** {sum of loss_i(x), sum of hit_i(x)} over the block (hits NaN for a regression head). */
    public double[] lossAndHits(List<Example> block) {
        forward(block, false);
        Head head = net.head();
        int n = head.units();
        double loss = 0;
        double hits = 0;
        double[] u = new double[n];
        for (int e = 0; e < rows; e++) {
            System.arraycopy(out, e * n, u, 0, n);
            double[] y = block.get(e).response();
            loss += head.loss(u, y);
            hits += head.hit(u, y);
        }
        return new double[] {loss, hits};
    }

    /** The head's output u_L of example e of the block last swept (a copy). */
    public double[] output(int e) {
        int n = net.head().units();
        double[] u = new double[n];
        System.arraycopy(out, e * n, u, 0, n);
        return u;
    }

    /** The block's summed loss; with gHead non-null also the weighted head gradients G_L = w dloss/du into it. */
    private double headLoss(List<Example> block, double[] gHead) {
        Head head = net.head();
        int n = head.units();
        double loss = 0;
        double[] u = new double[n];
        double[] gr = gHead == null ? null : new double[n];
        for (int e = 0; e < rows; e++) {
            System.arraycopy(out, e * n, u, 0, n);
            double[] y = block.get(e).response();
            loss += head.loss(u, y);
            if (gr != null) {
                head.gradient(u, y, gr);
                System.arraycopy(gr, 0, gHead, e * n, n);
            }
        }
        return loss;
    }

    /**
     * grad += d/dx sum_i w loss_i(x) over the block; returns the block's summed (unweighted) loss. The
     * weight gradient of each FULL stage is one gemm {@code Z_{l-1} G_l^T} over the block.
     */
    public double lossAndGradient(List<Example> block, double weight, double[] grad) {
        forward(block, true);
        int b = rows;
        int last = stages - 1;
        Head head = net.head();
        double[] gl = deriv[last];
        double loss = headLoss(block, gl);
        int nh = head.units();
        for (int i = 0; i < nh * b; i++) g[i] = gl[i] * weight;
        for (int l = last; l >= 0; l--) {
            AffineStage s = net.stage(l);
            int off = net.paramOffset(l);
            // the parameter gradient of stage l: Ju^T G summed over the block
            s.affineMap().blockParamGradient(zIn[l], g, b, grad, off, scratch[l]);
            if (l == 0) break;
            // Lambda_{l-1} = Weff^T G (+ Lambda_l through a residual connection), then G_{l-1} = Lambda_{l-1} * s'(U_{l-1})
            s.blockInputAdjoint(x, off, g, lambdaOut, b, lambdaIn);
            double[] d = deriv[l - 1];
            int size = net.stage(l - 1).units() * b;
            for (int i = 0; i < size; i++) g[i] = lambdaIn[i] * d[i];
            double[] t = lambdaOut;
            lambdaOut = lambdaIn;
            lambdaIn = t;
        }
        return loss;
    }
}
