package org.hessinv.train;

/**
 * One row of {@code history.csv}. {@code loss}, {@code gradientNorm} and the validation columns are at the
 * point the step reached (the trial point when accepted, the unchanged point when rejected); row 0 is the
 * start. NaN (and -1 for {@code negativeEigenvalues}) mark columns that do not apply: they are written empty.
 */
public record HistoryRow(int step, double seconds, double loss, double gradientNorm, double validationLoss,
                         double validationAccuracy, double damping, double radius, double rho, Boolean accepted,
                         String route, double solveSeconds, double residual, int negativeEigenvalues) {
    public static final String HEADER = "step,seconds,loss,gradient_norm,validation_loss,validation_accuracy,damping,radius,"
            + "rho,accepted,route,solve_seconds,residual,negative_eigenvalues";

    /** The CSV line (doubles in Java's shortest round-trip form, so the file reads back bit for bit). */
    public String csv() {
        return step + "," + cell(seconds) + "," + cell(loss) + "," + cell(gradientNorm) + "," + cell(validationLoss) + ","
                + cell(validationAccuracy) + "," + cell(damping) + "," + cell(radius) + "," + cell(rho) + ","
                + (accepted == null ? "" : accepted) + "," + (route == null ? "" : route) + "," + cell(solveSeconds) + ","
                + cell(residual) + "," + (negativeEigenvalues < 0 ? "" : negativeEigenvalues);
    }

    /** Reads a line written by {@link #csv}. */
    public static HistoryRow parse(String line) {
        String[] c = line.split(",", -1);
        if (c.length != 14) throw new IllegalArgumentException("history row has " + c.length + " columns, expected 14: " + line);
        return new HistoryRow(Integer.parseInt(c[0]), num(c[1]), num(c[2]), num(c[3]), num(c[4]), num(c[5]), num(c[6]),
                num(c[7]), num(c[8]), c[9].isEmpty() ? null : Boolean.valueOf(c[9]), c[10].isEmpty() ? null : c[10],
                num(c[11]), num(c[12]), c[13].isEmpty() ? -1 : Integer.parseInt(c[13]));
    }

    /** The row without its wall-clock columns (seconds, solve_seconds): what a resumed run reproduces bit for bit. */
    public HistoryRow withoutTimes() {
        return new HistoryRow(step, Double.NaN, loss, gradientNorm, validationLoss, validationAccuracy, damping, radius, rho,
                accepted, route, Double.NaN, residual, negativeEigenvalues);
    }

    private static String cell(double v) { return Double.isNaN(v) ? "" : Double.toString(v); }

    private static double num(String s) { return s.isEmpty() ? Double.NaN : Double.parseDouble(s); }
}
