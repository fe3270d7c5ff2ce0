package org.hessinv.curvature;

import java.util.List;
import org.hessinv.linalg.Blas;
import org.hessinv.linalg.SymmetricFactorization;
import org.hessinv.model.AffineStage;

/**
 * How a stage stores its control blocks over a batch, {@code Bs = vstack(B^i)} ((B a_l) x p_l) and
 * {@code S = sum_i S^i} (p_l x p_l), and so how the backward sweep multiplies by Bs and forms and
 * factorizes the stage's pivot {@code Qdd = S + delta I + Bs^T V Bs} (MATH.md section 3):
 * <ul>
 * <li>{@link DenseStage}: Bs and S dense (gain and bias stages, p_l = a_l);</li>
 * <li>{@link KroneckerStage} (a {@link FactoredStage}): Bs through its Kronecker factors ({@link StageFactors}), S dense, Qdd formed
 * and factorized densely (a fully parameterized stage with p_l <= B units);</li>
 * <li>{@link CapacitanceStage} (a {@link FactoredStage}): Bs and S through the factors, Qdd never formed: factorized through its
 * (B units)-square capacitance (p_l > B units).</li>
 * </ul>
 */
public sealed interface StageForm permits DenseStage, FactoredStage {
    /** p_l. */
    int paramCount();

    /** out (B a_l) = Bs d, for d of length p_l. */
    void bsTimes(double[] d, double[] out);

    /** out (p_l) += Bs^T v, for v of length B a_l. */
    void addBsTransposeTimes(double[] v, double[] out);

    /** V Bs, (B a_l) x p_l, for the stacked output-state Hessian V ((B a_l) square). */
    double[] vTimesBs(double[] v);

    /** Bs, (B a_l) x p_l: the stored matrix, or expanded from the factors (B a_l p_l doubles). */
    double[] denseBs();

    /** S = sum_i S^i, p_l x p_l: the stored matrix, or expanded from the factors (p_l^2 doubles: small stages and tests only). */
    double[] denseS();

    /** Whether {@link #formPivot} needs V Bs (Qdd formed as S + delta I + Bs^T (V Bs)); false when it needs V only. */
    boolean pivotNeedsVBs();

    /**
     * Qdd = S + delta I + Bs^T V Bs, formed (densely, or as its capacitance's middle) but not yet factorized:
     * the caller may drop V first. {@code vb} = V Bs when {@link #pivotNeedsVBs}, else ignored.
     */
    FormedPivot formPivot(double[] v, double[] vb, double delta);

    /** An upper bound on rank(S + Bs^T V Bs) whatever V: p_l, or B units for a {@link CapacitanceStage}. */
    long rankBound();

    /** This form with its pivot formed and factorized densely (p_l x p_l): itself unless it is a {@link CapacitanceStage}. */
    StageForm densePivot();

    /** The bytes this form's arrays hold. */
    long bytes();

    /**
     * What a form holds and needs, in bytes, known from the stage's dimensions before any data: {@code stored}
     * its arrays (as {@link #bytes()} reports them once assembled, Lambda included), {@code pivotWorking} what
     * forming and factorizing the pivot allocates beyond the factorization, {@code pivotRetained} the
     * factorization kept for the forward sweep, and whether the pivot needs V Bs.
     */
    record Bytes(long stored, long pivotWorking, long pivotRetained, boolean pivotNeedsVBs) {}

    /** The {@link Bytes} of the form {@link #assemble} gives stage st over a batch of B examples. */
    static Bytes bytes(AffineStage st, long batch) { return bytes(st, batch, org.hessinv.linalg.HeapFootprint.EXACT); }

    /** {@link #bytes(AffineStage, long)} with each array at its footprint in the heap. */
    static Bytes bytes(AffineStage st, long batch, org.hessinv.linalg.HeapFootprint fp) {
        if (usesCapacitance(st, batch)) return CapacitanceStage.bytes(st, batch, fp);
        if (!st.isSquareParameterized()) return KroneckerStage.bytes(st, batch, fp);
        return DenseStage.bytes(st, batch, fp);
    }

    /** A pivot formed by {@link #formPivot}, to be factorized. */
    @FunctionalInterface
    interface FormedPivot {
        /** The factorization; throws {@link org.hessinv.linalg.SingularMatrixException} when refused. */
        SymmetricFactorization factor();
    }

    /** Whether stage st over a batch of B examples takes the {@link CapacitanceStage} form: p_l = units (inputs + 1) > B units. */
    static boolean usesCapacitance(AffineStage st, long batch) {
        return !st.isSquareParameterized() && st.paramCount() > batch * st.units();
    }

    /**
     * The form of stage st over the records (ordered by example): {@code summedS} is the already-reduced
     * {@code sum_i S^i} (null: summed here in record order; always null for a capacitance stage).
     */
    static StageForm assemble(AffineStage st, LayerBlocks blocks, List<StageRecord> records, double[] summedS) {
        int batch = records.size();
        if (usesCapacitance(st, batch)) {
            return new CapacitanceStage(new StageFactors(batch, st.inputSize(), st.units(), st.outputSize(), records));
        }
        double[] s = summedS(blocks, records, summedS, st.paramCount());
        if (!st.isSquareParameterized()) {
            return new KroneckerStage(new StageFactors(batch, st.inputSize(), st.units(), st.outputSize(), records), s);
        }
        int nOut = batch * st.outputSize();
        double[] bs = new double[nOut * st.paramCount()];
        for (int i = 0; i < batch; i++) blocks.writeB(records.get(i), bs, i * st.outputSize(), nOut);
        return new DenseStage(nOut, st.paramCount(), bs, s);
    }

    private static double[] summedS(LayerBlocks blocks, List<StageRecord> records, double[] summedS, int p) {
        double[] s = new double[p * p];
        if (summedS == null) {
            for (StageRecord rec : records) blocks.addS(rec, s, p);
            return s;
        }
        if (summedS.length != s.length) throw new IllegalArgumentException("summed S has " + summedS.length + " entries, expected " + s.length);
        System.arraycopy(summedS, 0, s, 0, s.length);
        return s;
    }

    /** The pivot bytes of a form whose pivot is formed densely: Qdd (p^2) while it is factorized, then the factorization. */
    static Bytes withDensePivot(long stored, long p, org.hessinv.linalg.HeapFootprint fp) {
        return new Bytes(stored, fp.doubles(p * p), org.hessinv.linalg.SymmetricFactorization.factorBytes(p, fp), true);
    }

    /** Qdd = S + delta I + Bs^T (V Bs), formed densely from S and the product {@code addBtVb} (q += Bs^T VB). */
    static FormedPivot formDense(double[] s, int p, double delta, java.util.function.Consumer<double[]> addBtVb) {
        double[] qdd = s.clone();
        for (int i = 0; i < p; i++) qdd[i * p + i] += delta;
        addBtVb.accept(qdd);
        Blas.symmetrize(qdd, p);
        return () -> SymmetricFactorization.factor(qdd, p);
    }
}
