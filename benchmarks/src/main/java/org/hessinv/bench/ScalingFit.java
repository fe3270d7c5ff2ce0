package org.hessinv.bench;

/** Least-squares power law {@code y = c x^k} fitted on log-log axes: the exponent k and the fit's R^2. */
public record ScalingFit(double exponent, double prefactor, double rSquared, int points) {

    /** Fits log y = log c + k log x over the points with positive finite x and y; NaN exponent below 2 points. */
    public static ScalingFit fit(double[] x, double[] y) {
        int n = 0;
        double sx = 0, sy = 0;
        for (int i = 0; i < x.length; i++) {
            if (usable(x[i], y[i])) { n++; sx += Math.log(x[i]); sy += Math.log(y[i]); }
        }
        if (n < 2) return new ScalingFit(Double.NaN, Double.NaN, Double.NaN, n);
        double mx = sx / n, my = sy / n, sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.length; i++) {
            if (!usable(x[i], y[i])) continue;
            double dx = Math.log(x[i]) - mx, dy = Math.log(y[i]) - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        if (sxx == 0) return new ScalingFit(Double.NaN, Double.NaN, Double.NaN, n);
        double k = sxy / sxx;
        double r2 = syy == 0 ? 1.0 : sxy * sxy / (sxx * syy);
        return new ScalingFit(k, Math.exp(my - k * mx), r2, n);
    }

    private static boolean usable(double x, double y) {
        return x > 0 && y > 0 && Double.isFinite(x) && Double.isFinite(y);
    }

    /** The fitted c x^k. */
    public double predict(double x) { return prefactor * Math.pow(x, exponent); }
}
