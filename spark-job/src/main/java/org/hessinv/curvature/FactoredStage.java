package org.hessinv.curvature;

/**
 * A fully parameterized stage whose {@code Bs = D U^T} is kept in its Kronecker factors ({@link StageFactors}):
 * the products with Bs go through them, at 1/a_l of the dense cost. Its pivot is formed densely
 * ({@link KroneckerStage}) or through the capacitance ({@link CapacitanceStage}).
 */
public abstract sealed class FactoredStage implements StageForm permits KroneckerStage, CapacitanceStage {
    final StageFactors factors;

    FactoredStage(StageFactors factors) {
        this.factors = factors;
    }

    /** The Kronecker factors of Bs (and S). */
    public StageFactors factors() { return factors; }

    @Override public int paramCount() { return factors.paramCount(); }

    /** out = Bs d = D (U^T d). */
    @Override public void bsTimes(double[] d, double[] out) { factors.bsTimes(d, out); }

    /** out += Bs^T v = U (D^T v). */
    @Override public void addBsTransposeTimes(double[] v, double[] out) { factors.addBsTransposeTimes(v, out); }

    /** V Bs = (V D) U^T, 2 (B a_l) B p_l flops. */
    @Override public double[] vTimesBs(double[] v) { return factors.vTimesBs(v); }

    /** Bs = D U^T expanded. */
    @Override public double[] denseBs() { return factors.denseBs(); }
}
