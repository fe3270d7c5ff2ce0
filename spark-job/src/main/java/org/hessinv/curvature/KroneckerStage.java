package org.hessinv.curvature;

/**
 * A fully parameterized stage with p_l <= B units: Bs in Kronecker form ({@link StageFactors}, products at
 * 1/a_l of the dense cost), S (p_l x p_l) stored, the pivot Qdd formed and factorized densely.
 */
public final class KroneckerStage extends FactoredStage {
    /** p_l x p_l, column-major. */
    private final double[] s;

    KroneckerStage(StageFactors factors, double[] s) {
        super(factors);
        this.s = s;
    }

    /** The stored S (not a copy). */
    @Override public double[] denseS() { return s; }

    @Override public boolean pivotNeedsVBs() { return true; }

    /** Qdd = S + delta I + Bs^T (V Bs), p_l x p_l, the product through the factors (2 B p_l^2 flops). */
    @Override public FormedPivot formPivot(double[] v, double[] vb, double delta) {
        return StageForm.formDense(s, paramCount(), delta, q -> factors.addBsTransposeProduct(vb, q));
    }

    @Override public long rankBound() { return paramCount(); }

    @Override public StageForm densePivot() { return this; }

    /** The factors and S (p_l^2), the pivot formed densely. */
    static Bytes bytes(org.hessinv.model.AffineStage st, long batch, org.hessinv.linalg.HeapFootprint fp) {
        long p = st.paramCount();
        return StageForm.withDensePivot(StageFactors.bytes(batch, st.inputSize(), st.units(), fp) + fp.doubles(p * p), p, fp);
    }

    @Override public long bytes() { return factors.bytes() + (long) Double.BYTES * s.length; }
}
