package org.hessinv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The targets file is read, and each kind of target gives MET / MISSED / NOT MEASURED on hand-made rows. */
class TargetsTest {
    private static ResultRow row(String workload, double value, double seconds) {
        ResultRow r = new ResultRow();
        r.workload = workload;
        r.knob = "batch";
        r.value = value;
        r.solveSeconds = seconds;
        r.peakHeapMb = 1000;
        r.sweepGflop = 30;
        r.sweepGflops = 30 / seconds;
        r.dgemm = 50;
        return r;
    }

    @Test
    void shippedTargetsCoverEveryKind() {
        List<Targets.Target> all = Targets.defaults().all();
        assertEquals(16, all.size());
        assertTrue(all.stream().map(Targets.Target::kind).toList().containsAll(List.of("row", "fit", "beats-krylov", "route-speedup")));
        assertEquals("riccati", all.get(0).route());
        assertEquals(1.1, Targets.defaults().fitOf("tall", "output-space").orElseThrow().maxExponent());
        assertEquals(2.2, Targets.defaults().fitOf("anchor").orElseThrow().maxExponent());
    }

    @Test
    void rowTargets() {
        Results res = new Results();
        res.add(row("anchor", 128, 3.4));
        ResultRow slow = row("anchor", 256, 25);
        res.add(slow);
        ResultRow skipped = row("anchor", 512, Double.NaN);
        skipped.status = "skipped: needs 9.0 GB";
        res.add(skipped);
        List<String> lines = Targets.defaults().check(res);
        assertEquals("anchor batch 128 < 5 s: MET (3.400 s)", lines.get(0));
        assertEquals("anchor batch 256 < 20 s, peak heap < 3 GB: MISSED (25 s, 1000 MB)", lines.get(1));
        assertEquals("anchor batch 512 completes < 8 GB: MISSED (skipped: needs 9.0 GB)", lines.get(2));
        assertTrue(lines.get(4).startsWith("tall fitted exponent <= 1.1 (128..4096): NOT MEASURED"), lines.get(4));
        assertEquals("exact beats CG/MINRES to the same residual at condition >= 1e6: NOT MEASURED", lines.get(5));
        assertEquals(">= 100x faster than dense at tall depth 64: NOT MEASURED (not in this run)", lines.get(6));
    }

    @Test
    void aRateAboveTheDgemmProbeIsUnreliableNotMet() {
        Results res = new Results();
        ResultRow fast = row("anchor", 512, 0.4);   // 75 GFLOP/s against a 50 GFLOP/s probe: 150% of dgemm
        res.add(fast);
        String v = Targets.verdict(Targets.defaults().all().get(7), res);
        assertEquals("UNRELIABLE (probe 50 GFLOP/s < row 75 GFLOP/s; 0.4000 s)", v);
        assertTrue(Report.probeWarning(fast).startsWith("warning: anchor batch=512 ran at 75 GFLOP/s, above the dgemm probe's 50 GFLOP/s (150%)"),
                Report.probeWarning(fast));
        fast.dgemm = 80;
        assertTrue(Targets.verdict(Targets.defaults().all().get(7), res).startsWith("MET (0.4000 s, 93.75% of dgemm)"));
    }

    @Test
    void fitAndKrylovTargets() {
        Results res = new Results();
        for (int d = 128; d <= 1024; d *= 2) {
            ResultRow r = row("tall", d, d * 1e-3);
            r.knob = "depth";
            res.add(r);
        }
        ResultRow c = row("conditioning", 1e6, 0.1);
        c.condition = 0.999e6;
        c.krylov = "cg";
        c.krylovStatus = "max-iterations";
        c.krylovSeconds = 0.05;
        res.add(c);
        List<String> lines = Targets.defaults().check(res);
        assertEquals("tall fitted exponent <= 1.1 (128..4096): MET (exponent 1 over 4 points, 4096 not run)", lines.get(4));
        assertTrue(lines.get(5).contains(": MET (cond 9.990e+05: exact 0.1000 s vs cg 0.05000 s (max-iterations"), lines.get(5));
    }

    private static Targets.Target target(String json) throws IOException {
        return new com.fasterxml.jackson.databind.ObjectMapper().readValue(json, Targets.Target.class);
    }

    @Test
    void routeTargets() throws IOException {
        Results res = new Results();
        ResultRow os = row("anchor", 512, 1.5);
        os.route = "output-space";
        os.krylov = "cg";
        os.krylovStatus = "converged";
        os.krylovSeconds = 4;
        res.add(os);
        res.add(row("anchor", 512, 50));   // the riccati row at the same batch is not the one checked
        Targets.Target ratio = target("{\"kind\": \"row\", \"label\": \"r\", \"workload\": \"anchor\", \"route\": \"output-space\", \"at\": 512, \"maxKrylovRatio\": 0.5}");
        assertEquals("MET (1.500 s, 0.3750x of cg's 4 s)", Targets.verdict(ratio, res));
        os.krylovSeconds = 2.5;
        os.krylovStatus = "max-iterations";
        os.krylovIter = 1000;
        os.krylovResidual = 1e-3;
        assertTrue(Targets.verdict(ratio, res).startsWith("MISSED (1.500 s, 0.6000x of cg's 2.500 s (cg capped at 1000 iterations"), Targets.verdict(ratio, res));

        ResultRow per = row("data-pass", 1e6, 70);
        per.route = "per-example";
        ResultRow blk = row("data-pass", 1e6, 10);
        blk.route = "blocked";
        res.add(per);
        res.add(blk);
        Targets.Target speed = target("{\"kind\": \"route-speedup\", \"label\": \"s\", \"workload\": \"data-pass\", \"route\": \"blocked\", "
                + "\"baseline\": \"per-example\", \"at\": 1000000, \"minSpeedup\": 7}");
        assertEquals("MET (7x: per-example 70 s, blocked 10 s)", Targets.verdict(speed, res));
        blk.solveSeconds = 12;
        assertEquals("MISSED (5.833x: per-example 70 s, blocked 12 s)", Targets.verdict(speed, res));

        ResultRow c = row("conditioning", 1e6, 0.1);
        c.condition = 1e6;
        c.krylov = "cg";
        c.krylovStatus = "converged";
        c.krylovSeconds = 0.9;
        res.add(c);
        Targets.Target tenfold = Targets.defaults().all().get(10);
        assertTrue(Targets.verdict(tenfold, res).startsWith("MISSED"), Targets.verdict(tenfold, res));
        c.krylovSeconds = 1.2;
        assertTrue(Targets.verdict(tenfold, res).startsWith("MET"), Targets.verdict(tenfold, res));
        assertThrows(IllegalArgumentException.class, () -> new Targets.Target("route-speedup", "x", "data-pass", "blocked", 1e6, null, null, null,
                null, null, null, null, null, null, null, null, 7.0));
    }

    @Test
    void badTargetsAreRefusedWithTheirLabel(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("t.json");
        Files.writeString(f, "{\"targets\": [{\"kind\": \"row\", \"label\": \"x\", \"workload\": \"tall\", \"at\": 64}]}");
        IOException e = assertThrows(IOException.class, () -> Targets.read(f));
        assertTrue(e.getMessage().contains("target 'x': a row target needs 'at' and at least one bound"), e.getMessage());
        Files.writeString(f, "{\"targets\": [{\"kind\": \"row\", \"label\": \"x\", \"workload\": \"tall\", \"at\": 64, \"maxSecond\": 1}]}");
        assertThrows(IOException.class, () -> Targets.read(f));
    }
}
