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
    }

    @Test
    void helpPrintsTheOptions() {
        Outcome o = run("bench", new BenchmarkSuite(), "--help");
        assertEquals(0, o.code());
        assertTrue(o.out().contains("--workload-budget-seconds") && o.out().contains("--targets"), o.out());
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
