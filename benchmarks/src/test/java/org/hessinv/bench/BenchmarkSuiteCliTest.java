package org.hessinv.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The entry points' command lines: one-line errors with exit code 2, --help, and --quick's defaults. */
class BenchmarkSuiteCliTest {
    private record Outcome(int code, String out, String err) {}

    private static Outcome run(String name, Object command, String... args) {
        CommandLine cl = BenchCli.commandLine(name, command);
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    private static void assertOneLineError(Outcome o, String contains) {
        assertEquals(2, o.code());
        assertEquals(1, o.err().lines().count(), o.err());
        assertTrue(o.err().contains(": error: ") && o.err().contains(contains), o.err());
    }

    @Test
    void badOptionsAreOneLineAndExitTwo() {
        assertOneLineError(run("bench", new BenchmarkSuite(), "--no-such-option"), "--no-such-option");
        assertOneLineError(run("bench", new BenchmarkSuite(), "--budget-seconds", "soon"), "soon");
        assertOneLineError(run("bench", new BenchmarkSuite(), "--budget-seconds"), "--budget-seconds");
        assertOneLineError(run("bench", new BenchmarkSuite(), "--workloads", "tall,wide"), "unknown workload wide");
        assertOneLineError(run("bench", new BenchmarkSuite(), "--budget-seconds", "-1"), "budgets must be > 0");
        assertOneLineError(run("bench-engine", new EngineBenchmark(), "--depths", "64,x"), "x");
        assertOneLineError(run("paper-comparison", new PaperComparison(), "--width", "0"), "sizes must be positive");
        assertOneLineError(run("dgemm-probe", new DgemmProbe(), "--blocking", "512,512"), "--blocking takes three positive panel sizes");
        assertOneLineError(run("dgemm-probe", new DgemmProbe(), "--blocking", "512,0,1024"), "--blocking takes three positive panel sizes");
        assertOneLineError(run("dgemm-probe", new DgemmProbe(), "512,x"), "x");
        assertOneLineError(run("cholesky-probe", new CholeskyProbe(), "--bases", "128,64,128"), "--bases takes four sizes");
        assertOneLineError(run("cholesky-probe", new CholeskyProbe(), "--f2j-budget", "soon"), "soon");
        assertOneLineError(run("anchor-benchmark", new AnchorBenchmark()), "B");
        assertOneLineError(run("anchor-benchmark", new AnchorBenchmark(), "64", "sparse"), "PIVOT must be capacitance or dense");
        assertOneLineError(run("anchor-benchmark", new AnchorBenchmark(), "64", "dense", "fisher"), "CURVATURE must be hessian or ggn");
        assertOneLineError(run("output-space-timing", new OutputSpaceTiming(), "wide", "64"), "WORKLOAD must be anchor, proxy or deep");
        assertOneLineError(run("output-space-timing", new OutputSpaceTiming(), "deep", "64", "--repeats"), "--repeats");
        assertOneLineError(run("data-pass", new DataPassBenchmark(), "--sizes", "1000,-5"), "must be > 0");
        assertOneLineError(run("data-pass", new DataPassBenchmark(), "--bogus"), "--bogus");
    }

    /** The probes' record options: the defaults are the engine's DEFAULT records, and other values reach the records. */
    @Test
    void probesParseTheTuningRecords() {
        DgemmProbe d = new DgemmProbe();
        CommandLine dc = new CommandLine(d);
        dc.parseArgs();
        d.spec = dc.getCommandSpec();
        assertEquals(org.hessinv.linalg.GemmBlocking.DEFAULT, d.blocking());
        dc.parseArgs("--blocking", "256,128,64", "1024");
        assertEquals(new org.hessinv.linalg.GemmBlocking(256, 128, 64), d.blocking());
        assertArrayEquals(new int[] {1024}, d.orders);
        CholeskyProbe c = new CholeskyProbe();
        CommandLine cc = new CommandLine(c);
        cc.parseArgs();
        c.spec = cc.getCommandSpec();
        assertEquals(org.hessinv.linalg.CholeskyBases.DEFAULT, c.bases());
        cc.parseArgs("--bases", "32,16,32,64");
        assertEquals(new org.hessinv.linalg.CholeskyBases(32, 16, 32, 64), c.bases());
    }

    @Test
    void helpPrintsTheOptions() {
        Outcome o = run("bench", new BenchmarkSuite(), "--help");
        assertEquals(0, o.code());
        assertTrue(o.out().contains("--workload-budget-seconds") && o.out().contains("--targets"), o.out());
        for (Object entry : new Object[] {new DgemmProbe(), new CholeskyProbe(), new AnchorBenchmark(), new OutputSpaceTiming(), new DataPassBenchmark()}) {
            Outcome h = run("entry", entry, "--help");
            assertEquals(0, h.code(), entry.getClass().getSimpleName());
            assertTrue(h.out().contains("--help") && h.out().startsWith("Usage:"), h.out());
        }
    }

    @Test
    void quickShrinksWhatWasNotGiven() {
        BenchmarkSuite s = new BenchmarkSuite();
        new CommandLine(s).parseArgs("--quick", "--budget-seconds", "30", "--tall-depths", "64,128");
        assertEquals(new WorkloadRunner.Limits(30, 240, 1000, 5000), s.limits());
        assertArrayEquals(new int[] {64, 128}, s.tallDepths());
        assertArrayEquals(new int[] {64, 128}, s.anchorBatches());
        BenchmarkSuite full = new BenchmarkSuite();
        new CommandLine(full).parseArgs();
        assertEquals(new WorkloadRunner.Limits(120, 600, 3000, 5000), full.limits());
        assertEquals(7, full.tallDepths().length);
    }
}
