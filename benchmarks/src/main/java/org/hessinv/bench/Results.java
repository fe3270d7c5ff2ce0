package org.hessinv.bench;

import java.util.ArrayList;
import java.util.List;

/** The rows of one benchmark run, in the order they were measured, with look-ups by workload. */
final class Results {
    private final List<ResultRow> rows = new ArrayList<>();

    void add(ResultRow r) { rows.add(r); }

    List<ResultRow> all() { return List.copyOf(rows); }

    List<ResultRow> of(String workload) { return rows.stream().filter(r -> r.workload.equals(workload)).toList(); }

    /** The workload's rows by one route (riccati, output-space, per-example, blocked). */
    List<ResultRow> of(String workload, String route) { return of(workload).stream().filter(r -> r.route.equals(route)).toList(); }

    /** The workload's riccati row at a knob value, or null when the run has none. */
    ResultRow find(String workload, double value) { return find(workload, "riccati", value); }

    /** The workload's row by a route at a knob value, or null when the run has none. */
    ResultRow find(String workload, String route, double value) {
        return of(workload, route).stream().filter(r -> r.value == value).findFirst().orElse(null);
    }

    /** Power law of the riccati rows' exact solve time in the knob, over the workload's completed rows with {@code from <= value <= to}. */
    ScalingFit fit(String workload, double from, double to) { return fit(workload, "riccati", from, to); }

    /** The same over one route's rows. */
    ScalingFit fit(String workload, String route, double from, double to) {
        List<ResultRow> use = of(workload, route).stream().filter(r -> r.ok() && r.value >= from && r.value <= to).toList();
        return ScalingFit.fit(use.stream().mapToDouble(r -> r.value).toArray(), use.stream().mapToDouble(r -> r.solveSeconds).toArray());
    }
}
