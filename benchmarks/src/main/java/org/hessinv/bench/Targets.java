package org.hessinv.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The suite's targets, kept as data ({@code benchmark-targets.json} beside this class, or a file given
 * with {@code --targets}), and their verdicts on a run: MET, MISSED, NOT MEASURED or, for a rate bound on a row that ran
 * faster than the dgemm probe, UNRELIABLE; with the measured numbers.
 */
final class Targets {
    static final String RESOURCE = "benchmark-targets.json";

    /**
     * One target; which bounds apply depends on its kind (see the file's "about"). Absent bounds are null; an absent
     * route is {@code riccati}.
     */
    record Target(String kind, String label, String workload, String route, Double at, Double from, Double to, Double maxSeconds,
                  Double maxHeapMb, Double minPercentOfDgemm, Double minDenseSpeedup, Double maxKrylovRatio, Double maxExponent,
                  Double minCondition, Double minKrylovSpeedup, String baseline, Double minSpeedup) {
        Target {
            if (kind == null || label == null || workload == null) throw new IllegalArgumentException("a target needs kind, label and workload");
            if (route == null) route = "riccati";
            switch (kind) {
                case "row" -> require(at != null && (maxSeconds != null || maxHeapMb != null || minPercentOfDgemm != null || minDenseSpeedup != null
                        || maxKrylovRatio != null), label, "a row target needs 'at' and at least one bound");
                case "fit" -> require(from != null && to != null && maxExponent != null, label, "a fit target needs from, to and maxExponent");
                case "beats-krylov" -> require(minCondition != null, label, "a beats-krylov target needs minCondition");
                case "route-speedup" -> require(at != null && baseline != null && minSpeedup != null, label,
                        "a route-speedup target needs at, baseline and minSpeedup");
                default -> throw new IllegalArgumentException("target '" + label + "': unknown kind " + kind
                        + "; use row, fit, beats-krylov or route-speedup");
            }
        }

        private static void require(boolean ok, String label, String what) {
            if (!ok) throw new IllegalArgumentException("target '" + label + "': " + what);
        }
    }

    private record TargetsFile(@JsonProperty("about") String about, @JsonProperty("targets") List<Target> targets) {}

    private final List<Target> targets;

    Targets(List<Target> targets) { this.targets = List.copyOf(targets); }

    /** The targets shipped with the suite. */
    static Targets defaults() {
        try (InputStream in = Targets.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("resource " + RESOURCE + " is missing from the classpath");
            return parse(new ObjectMapper().readValue(in, TargetsFile.class));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /** Targets from a JSON file of the same form as the shipped one. */
    static Targets read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(new ObjectMapper().readValue(in, TargetsFile.class));
        }
    }

    private static Targets parse(TargetsFile f) {
        if (f.targets() == null) throw new IllegalArgumentException("no \"targets\" list");
        return new Targets(f.targets());
    }

    List<Target> all() { return targets; }

    /** The fit target of a workload's riccati rows (its range is the one the summary and the plots fit over), if any. */
    Optional<Target> fitOf(String workload) { return fitOf(workload, "riccati"); }

    /** The fit target of a workload's rows by a route, if any. */
    Optional<Target> fitOf(String workload, String route) {
        return targets.stream().filter(t -> t.kind().equals("fit") && t.workload().equals(workload) && t.route().equals(route)).findFirst();
    }

    /** One line per target: its label, the verdict and the measured numbers. */
    List<String> check(Results results) {
        List<String> lines = new ArrayList<>();
        for (Target t : targets) lines.add(t.label() + ": " + verdict(t, results));
        return lines;
    }

    static String verdict(Target t, Results results) {
        return switch (t.kind()) {
            case "row" -> row(t, results.find(t.workload(), t.route(), t.at()));
            case "fit" -> fit(t, results);
            case "route-speedup" -> routeSpeedup(t, results);
            default -> beatsKrylov(t, results);
        };
    }

    private static String met(boolean met) { return met ? "MET" : "MISSED"; }

    private static String num(double v) { return Report.num(v); }

    private static String row(Target t, ResultRow r) {
        if (r == null) return "NOT MEASURED (not in this run)";
        if (!r.ok()) return "MISSED (" + r.status + ")";
        boolean met = true;
        List<String> seen = new ArrayList<>();
        seen.add(num(r.solveSeconds) + " s");
        if (t.maxSeconds() != null) met &= r.solveSeconds < t.maxSeconds();
        if (t.maxHeapMb() != null) {
            met &= r.peakHeapMb < t.maxHeapMb();
            seen.add(num(r.peakHeapMb) + " MB");
        }
        if (t.minPercentOfDgemm() != null) {
            if (r.rateExceedsProbe()) {
                return "UNRELIABLE (probe " + num(r.dgemm) + " GFLOP/s < row " + num(r.sweepGflops) + " GFLOP/s; " + String.join(", ", seen) + ")";
            }
            met &= r.percentOfDgemm() >= t.minPercentOfDgemm();
            seen.add(num(r.percentOfDgemm()) + "% of dgemm");
        }
        if (t.maxKrylovRatio() != null) {
            if (r.krylov.isEmpty() || !Double.isFinite(r.krylovSeconds)) return "NOT MEASURED (no CG / MINRES on this row)";
            // a Krylov run stopped before the residual would have taken longer: its time is a lower bound, so the ratio an upper bound
            met &= r.solveSeconds <= t.maxKrylovRatio() * r.krylovSeconds;
            seen.add(num(r.solveSeconds / r.krylovSeconds) + "x of " + r.krylov + "'s " + num(r.krylovSeconds) + " s"
                    + (r.krylovConverged() ? "" : " (" + r.krylovOutcome() + ")"));
        }
        if (t.minDenseSpeedup() != null) {
            if (Double.isNaN(r.denseSeconds)) return "NOT MEASURED (dense " + r.denseStatus + ")";
            met &= r.denseSpeedup() >= t.minDenseSpeedup();
            seen.add(0, num(r.denseSpeedup()) + "x: dense " + num(r.denseSeconds) + " s, exact");
        }
        return met(met) + " (" + String.join(", ", seen) + ")";
    }

    private static String fit(Target t, Results results) {
        ScalingFit f = results.fit(t.workload(), t.route(), t.from(), t.to());
        if (f.points() < 2) return "NOT MEASURED (" + f.points() + " " + t.workload() + " rows completed in " + num(t.from()) + ".." + num(t.to()) + ")";
        boolean reachedTop = results.of(t.workload(), t.route()).stream().anyMatch(r -> r.value == t.to() && r.ok());
        return met(f.exponent() <= t.maxExponent()) + " (exponent " + num(f.exponent()) + " over " + f.points() + " points"
                + (reachedTop ? "" : ", " + num(t.to()) + " not run") + ")";
    }

    /**
     * Conditions within 1% below the bound count (the damping reaches the target condition only approximately). Without
     * minKrylovSpeedup: exact faster than a converged Krylov run, or the run did not converge; with it: Krylov time
     * (converged, or a lower bound when not) at least minKrylovSpeedup times the exact time.
     */
    private static String beatsKrylov(Target t, Results results) {
        List<ResultRow> hard = results.of(t.workload(), t.route()).stream().filter(r -> r.condition >= 0.99 * t.minCondition()).toList();
        if (hard.isEmpty()) return "NOT MEASURED";
        boolean all = true;
        StringBuilder b = new StringBuilder();
        for (ResultRow r : hard) {
            all &= r.ok() && (t.minKrylovSpeedup() != null ? r.krylovSeconds >= t.minKrylovSpeedup() * r.solveSeconds
                    : !r.krylovConverged() || r.solveSeconds < r.krylovSeconds);
            b.append(String.format(Locale.ROOT, " cond %s: exact %s s vs %s %s s (%s, %d products);", num(r.condition), num(r.solveSeconds),
                    r.krylov, num(r.krylovSeconds), r.krylovStatus, r.krylovProducts));
        }
        return met(all) + " (" + b.toString().trim() + ")";
    }

    /** The workload's row by {@code route} at {@code at} is at least minSpeedup times faster than its row by {@code baseline}. */
    private static String routeSpeedup(Target t, Results results) {
        ResultRow fast = results.find(t.workload(), t.route(), t.at());
        ResultRow base = results.find(t.workload(), t.baseline(), t.at());
        if (fast == null || base == null) return "NOT MEASURED (not in this run)";
        if (!fast.ok() || !base.ok()) return "MISSED (" + (fast.ok() ? base.status : fast.status) + ")";
        double speedup = base.solveSeconds / fast.solveSeconds;
        return met(speedup >= t.minSpeedup()) + " (" + num(speedup) + "x: " + t.baseline() + " " + num(base.solveSeconds) + " s, "
                + t.route() + " " + num(fast.solveSeconds) + " s)";
    }
}
