package org.hessinv.bench;

import java.util.List;
import org.hessinv.linalg.Blas;

/**
 * This machine's rates, measured at the start of a run: the dgemm probe (the reference rate every row's
 * GFLOP/s is compared with), the pivot Cholesky and the dense reference's LAPACK LU (both feed the time
 * estimates), and the BLAS backend.
 */
record MachineRates(String backend, List<DgemmProbe.Sample> dgemmSamples, double dgemm, double cholesky, double lapack) {

    /** dgemm at a few orders (two in a quick run), Cholesky at n = 2048, LU at n = 768. */
    static MachineRates measure(boolean quick) {
        String backend = Blas.blas().getClass().getName() + " (LAPACK " + Blas.lapack().getClass().getName() + ")";
        int[] orders = quick ? new int[] {1024, 2048} : new int[] {512, 1024, 1536, 2048, 3072};
        List<DgemmProbe.Sample> probe = DgemmProbe.probe(orders, 3, true);
        return new MachineRates(backend, probe, DgemmProbe.peak(probe), DgemmProbe.choleskyGflops(2048, 2), DgemmProbe.lapackGflops(768, 2));
    }
}
