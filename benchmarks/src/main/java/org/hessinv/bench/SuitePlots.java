package org.hessinv.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

/** The run's charts: {@code tall-depth.png}, {@code anchor-batch.png}, {@code conditioning.png} (each when its workload ran). */
final class SuitePlots {
    private SuitePlots() {}

    private static double[] col(List<ResultRow> rows, ToDoubleFunction<ResultRow> f) { return rows.stream().mapToDouble(f).toArray(); }

    static void write(Path dir, Results results, Targets targets) throws IOException {
        tall(dir, results, targets);
        anchor(dir, results, targets);
        conditioning(dir, results);
    }

    /**
     * Exact (Hessian by Riccati, GGN by the output space), MINRES (converged or not), dense against depth, and the fitted
     * power law over the tall fit target's range.
     */
    private static void tall(Path dir, Results results, Targets targets) throws IOException {
        List<ResultRow> tall = results.of("tall", "riccati");
        List<ResultRow> os = results.of("tall", "output-space");
        if (tall.isEmpty()) return;
        double[] x = col(tall, r -> r.value);
        List<Plot.Series> s = new ArrayList<>(List.of(
                new Plot.Series("exact (Riccati)", x, col(tall, r -> r.solveSeconds), false),
                new Plot.Series("dense LAPACK", x, col(tall, r -> r.denseSeconds), false)));
        s.addAll(1, krylovSeries("MINRES", tall, x));
        if (!os.isEmpty()) s.add(new Plot.Series("exact GGN (output space)", col(os, r -> r.value), col(os, r -> r.solveSeconds), false));
        targets.fitOf("tall").ifPresent(t -> {
            ScalingFit f = results.fit("tall", t.from(), t.to());
            if (Double.isFinite(f.exponent())) {
                s.add(new Plot.Series(String.format(Locale.ROOT, "fit depth^%.2f", f.exponent()), x, Arrays.stream(x).map(f::predict).toArray(), true));
            }
        });
        Plot.logLog(dir.resolve("tall-depth.png"), "tall: solve time vs depth (width 8, batch 16; Hessian, GGN)", "depth", "seconds", s);
    }

    /**
     * Exact by Riccati (and the estimate of skipped rows) and by the output space, CG (over whichever route's rows span
     * more batches; both solve the same system), the proxy, and the anchor fit target's B^k through the first completed row.
     */
    private static void anchor(Path dir, Results results, Targets targets) throws IOException {
        List<ResultRow> anc = results.of("anchor", "riccati");
        List<ResultRow> os = results.of("anchor", "output-space");
        List<ResultRow> proxy = results.of("anchor-proxy");
        if (anc.isEmpty() && os.isEmpty() && proxy.isEmpty()) return;
        double[] x = col(anc, r -> r.value);
        List<Plot.Series> s = new ArrayList<>(List.of(
                new Plot.Series("exact (Riccati)", x, col(anc, r -> r.solveSeconds), false),
                new Plot.Series("exact: estimate (skipped)", x, col(anc, r -> r.ok() ? Double.NaN : r.estSeconds), false)));
        if (!os.isEmpty()) s.add(new Plot.Series("exact (output space)", col(os, r -> r.value), col(os, r -> r.solveSeconds), false));
        List<ResultRow> cgRows = os.size() > anc.size() ? os : anc;
        s.addAll(krylovSeries("CG", cgRows, col(cgRows, r -> r.value)));
        if (!proxy.isEmpty()) s.add(new Plot.Series("proxy: input 24", col(proxy, r -> r.value), col(proxy, r -> r.solveSeconds), false));
        targets.fitOf("anchor").ifPresent(t -> {
            double k = t.maxExponent();
            double ref = Stream.concat(anc.stream(), proxy.stream()).filter(ResultRow::ok)
                    .mapToDouble(r -> r.solveSeconds / Math.pow(r.value, k)).findFirst().orElse(Double.NaN);
            if (Double.isFinite(ref)) {
                s.add(new Plot.Series("B^" + Report.num(k) + " target", x, Arrays.stream(x).map(b -> ref * Math.pow(b, k)).toArray(), true));
            }
        });
        Plot.logLog(dir.resolve("anchor-batch.png"), "anchor: solve time vs curvature batch (input 768, GGN)", "batch", "seconds", s);
    }

    private static void conditioning(Path dir, Results results) throws IOException {
        List<ResultRow> cond = results.of("conditioning", "riccati");
        List<ResultRow> os = results.of("conditioning", "output-space");
        if (cond.isEmpty() && os.isEmpty()) return;
        double[] x = col(cond, r -> r.condition);
        List<Plot.Series> s = new ArrayList<>(List.of(new Plot.Series("exact (Riccati)", x, col(cond, r -> r.solveSeconds), false)));
        if (!os.isEmpty()) s.add(new Plot.Series("exact (output space)", col(os, r -> r.condition), col(os, r -> r.solveSeconds), false));
        s.addAll(krylovSeries("CG", cond, x));
        s.add(new Plot.Series("dense LAPACK", x, col(cond, r -> r.denseSeconds), false));
        Plot.logLog(dir.resolve("conditioning.png"), "conditioning: time to the same residual (depth 32, GGN)", "condition number", "seconds", s);
    }

    /**
     * The Krylov times as two series: the rows that reached the exact solve's residual ("CG (to same res.)") and the
     * rows that stopped first, labelled with how ("CG capped at 3000 it. / time budget, not converged (res. >= 2e-3)",
     * the smallest residual among them), so a capped run is never drawn as a time to the residual. The second series is
     * left out when every row converged.
     */
    static List<Plot.Series> krylovSeries(String method, List<ResultRow> rows, double[] x) {
        List<Plot.Series> out = new ArrayList<>();
        out.add(new Plot.Series(method + " (to same res.)", x, col(rows, r -> r.krylovConverged() ? r.krylovSeconds : Double.NaN), false));
        List<ResultRow> stopped = rows.stream().filter(r -> !r.krylov.isEmpty() && !r.krylovConverged() && Double.isFinite(r.krylovSeconds)).toList();
        if (stopped.isEmpty()) return out;
        List<String> how = new ArrayList<>();
        for (ResultRow r : stopped) {
            String h = switch (r.krylovStatus) {
                case "max-iterations" -> "capped at " + r.krylovIter + " it.";
                case "time-budget" -> "time budget";
                default -> r.krylovStatus;
            };
            if (!how.contains(h)) how.add(h);
        }
        double best = stopped.stream().mapToDouble(r -> r.krylovResidual).min().orElse(Double.NaN);
        out.add(new Plot.Series(method + " " + String.join(" / ", how) + ", not converged (res. >= " + String.format(Locale.ROOT, "%.1g", best) + ")",
                x, col(rows, r -> r.krylovConverged() ? Double.NaN : r.krylovSeconds), false));
        return out;
    }
}
