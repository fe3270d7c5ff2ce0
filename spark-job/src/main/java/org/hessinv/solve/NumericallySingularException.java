package org.hessinv.solve;

import java.util.Locale;

/**
 * The solve finished but its residual certificate failed: the curvature system is numerically singular as a
 * whole although no single stage pivot was. Names the worst pivot (layer, reciprocal condition) when known.
 */
public class NumericallySingularException extends SingularStageException {
    private final double residual;

    public NumericallySingularException(double residual, double limit, PivotCondition worst, String hint) {
        super(String.format(Locale.ROOT, "the curvature system is numerically singular: the direction's relative residual"
                + " ||(C + dI) d - r|| / ||r|| is %.3g, above the limit %.1g%s; %s", residual, limit,
                worst == null ? "" : String.format(Locale.ROOT, " (no stage pivot was singular; the worst is at layer %d,"
                        + " reciprocal condition %.3g)", worst.layer(), worst.rcond()), hint),
                worst == null ? 0 : worst.layer(), worst == null ? Double.NaN : worst.rcond());
        this.residual = residual;
    }

    public double residual() { return residual; }
}
