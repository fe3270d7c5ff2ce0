package org.hessinv.bench;

import java.util.List;
import org.hessinv.linalg.Blas;

/**
 * This machine's rates, measured in the run: the dgemm probe at the start and again at the end (the reference
 * rate every row's GFLOP/s is compared with is the better of the two: other jobs on the cores slow one probe or
 * the other down), the pivot Cholesky and the dense reference's LAPACK LU (both feed the time estimates), and the
 * BLAS backend.
 */
record MachineRates(String backend, List<DgemmProbe.Sample> dgemmSamples, List<DgemmProbe.Sample> endSamples, double cholesky, double lapack) {
    /** Repeats of each order at the end of the run (best of them; the facade only). */
    static final int END_REPEATS = 5;

    /** The probe's orders: the gemm shapes of the solves run from a few hundred to several thousand. */
    static int[] orders(boolean quick) { return quick ? new int[] {1024, 2048} : new int[] {512, 1024, 1536, 2048, 3072}; }

    /** dgemm at a few orders (two in a quick run), Cholesky at n = 2048, LU at n = 768; no end probe yet. */
    static MachineRates measure(boolean quick) {
        String backend = Blas.blas().getClass().getName() + " (LAPACK " + Blas.lapack().getClass().getName() + ")";
        List<DgemmProbe.Sample> probe = DgemmProbe.probe(orders(quick), 3, true);
        return new MachineRates(backend, probe, List.of(), DgemmProbe.choleskyGflops(2048, 2), DgemmProbe.lapackGflops(768, 2));
    }

    /** The same rates with the dgemm probe run again now (best of {@link #END_REPEATS} per order, Blas.gemm only). */
    MachineRates reprobed(boolean quick) {
        return new MachineRates(backend, dgemmSamples, DgemmProbe.probe(orders(quick), END_REPEATS, false), cholesky, lapack);
    }

    /** The best Blas.gemm rate of the probe at the start of the run. */
    double startDgemm() { return DgemmProbe.peak(dgemmSamples); }

    /** The best Blas.gemm rate of the probe at the end of the run (NaN before it ran). */
    double endDgemm() { return endSamples.isEmpty() ? Double.NaN : DgemmProbe.peak(endSamples); }

    /** The reference dgemm rate: max(start probe, end probe). */
    double dgemm() { return endSamples.isEmpty() ? startDgemm() : Math.max(startDgemm(), endDgemm()); }
}
