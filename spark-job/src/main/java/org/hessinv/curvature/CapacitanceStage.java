package org.hessinv.curvature;

import org.hessinv.linalg.CapacitanceFactorization;

/**
 * A fully parameterized stage with p_l = units (inputs + 1) > m = B units: S = U Lam U^T and Bs = D U^T
 * stay in their factors ({@link StageFactors}; S would be p_l^2 doubles, 2.7 GB for a 768-input layer), and
 * the pivot {@code Qdd = delta I + U M U^T} (rank of {@code U M U^T} at most m < p_l) is never formed: it is
 * factorized exactly through its m x m capacitance ({@link CapacitanceFactorization}), at
 * m^3/3 + O(B m^2 + p_l B) flops instead of forming and factorizing the p_l x p_l pivot (2 p_l^2 B a_l + p_l^3/3).
 */
public final class CapacitanceStage extends FactoredStage {

    CapacitanceStage(StageFactors factors) {
        super(factors);
    }

    /** S = U Lam U^T expanded, p_l^2 doubles (small stages and tests only). */
    @Override public double[] denseS() {
        int p = paramCount();
        double[] s = new double[p * p];
        factors.addDenseS(s);
        return s;
    }

    /** The capacitance needs V only (its middle M = Lam + D^T V D). */
    @Override public boolean pivotNeedsVBs() { return false; }

    /** Qdd = delta I + U M U^T with the middle M = Lam + D^T V D (m x m), to be factorized through its capacitance. */
    @Override public FormedPivot formPivot(double[] v, double[] vb, double delta) {
        double[] middle = factors.middle(v);
        return () -> CapacitanceFactorization.factor(factors.units, factors.inputs, factors.batch, factors.zt, middle, delta);
    }

    /** rank(S + Bs^T V Bs) = rank(U M U^T) <= m = B units. */
    @Override public long rankBound() { return factors.rank(); }

    /** The Kronecker form with S expanded (p_l^2 doubles): the pivot formed densely, for comparisons. */
    @Override public StageForm densePivot() { return new KroneckerStage(factors, denseS()); }

    /**
     * The factors; the pivot's middle M (m^2, which becomes the capacitance) is counted with the factorization
     * it turns into ({@link CapacitanceFactorization#bytes(long, long, long)}), plus the factorization's scratch.
     */
    static Bytes bytes(org.hessinv.model.AffineStage st, long batch, org.hessinv.linalg.HeapFootprint fp) {
        return new Bytes(StageFactors.bytes(batch, st.inputSize(), st.units(), fp),
                CapacitanceFactorization.workingBytes(st.units(), st.inputSize(), batch, fp),
                CapacitanceFactorization.bytes(st.units(), st.inputSize(), batch, fp), false);
    }

    @Override public long bytes() { return factors.bytes(); }
}
