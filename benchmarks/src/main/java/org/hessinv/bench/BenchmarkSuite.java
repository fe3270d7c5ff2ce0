package org.hessinv.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The benchmark suite's entry point (it prints and writes numbers; not a test): the command line, then one run.
 * Workloads {@code anchor} (wide input, batch scaling, Riccati and output-space rows), {@code tall} (depth scaling; Hessian
 * by Riccati, GGN by the output space), {@code conditioning} (condition number 1e4..1e8, both routes), {@code anchor-hessian},
 * {@code default-direction} (the default newton-direction run's problem), {@code data-pass} (the training pass, per example
 * and blocked), opt-in {@code anchor-proxy}, run by {@link WorkloadRunner}; the run writes
 * {@code OUT/run-STAMP/{results.csv, dgemm.csv, summary.md}} ({@link Report}) with the verdicts of
 * {@link Targets}, and the PNG charts ({@link SuitePlots}).
 */
@Command(name = "bench", sortOptions = false, usageHelpAutoWidth = true,
        description = "The hessinv benchmark suite (in process, no Spark). Writes OUT/run-<UTC stamp>/{results.csv, summary.md, dgemm.csv, *.png}.")
public final class BenchmarkSuite implements Callable<Integer> {
    static final List<String> ALL = List.of("anchor", "anchor-proxy", "tall", "conditioning", "anchor-hessian", "default-direction", "data-pass");

    @Spec CommandSpec spec;

    @Option(names = "--workloads", split = ",", paramLabel = "W",
            description = "which workloads, comma-separated: anchor, tall, conditioning, anchor-hessian, default-direction, data-pass "
                    + "(default these six), anchor-proxy (opt-in, ~8 min: the anchor with input 24, its stages 2..8 without the wide first layer)")
    List<String> workloads = List.of("anchor", "tall", "conditioning", "anchor-hessian", "default-direction", "data-pass");

    @Option(names = "--out", paramLabel = "DIR", description = "output folder; each run writes OUT/run-<UTC stamp>/ (default ${DEFAULT-VALUE})")
    Path out = Path.of("target/bench");

    @Option(names = "--quick", description = "smaller sweep for iteration: anchor 64,128 (both routes); anchor-hessian 64; tall 64..512; "
            + "data pass 100,000 examples; budgets 60 s / 240 s; Krylov cap 1000 (options given explicitly win)")
    boolean quick;

    @Option(names = "--budget-seconds", paramLabel = "S", description = "per-row time budget of each method: an exact or dense solve "
            + "estimated above it is skipped, CG / MINRES stop at it (default 120)")
    Double budget;

    @Option(names = "--workload-budget-seconds", paramLabel = "S", description = "once a workload has run this long its remaining rows are skipped (default 600)")
    Double workloadBudget;

    @Option(names = "--krylov-max-iter", paramLabel = "N", description = "iteration cap of CG / MINRES (default 3000)")
    Integer krylovMaxIter;

    @Option(names = "--dense-max-params", paramLabel = "N", description = "largest parameter count solved densely (default ${DEFAULT-VALUE})")
    int denseMaxParams = 5000;

    @Option(names = "--anchor-batches", split = ",", paramLabel = "B", description = "anchor batches (default 64,128,256,512)")
    int[] anchorBatches;

    @Option(names = "--output-space-batches", split = ",", paramLabel = "B", description = "anchor batches solved through the output space "
            + "(default 64,128,...,2048)")
    int[] outputSpaceBatches;

    @Option(names = "--anchor-hessian-batches", split = ",", paramLabel = "B", description = "anchor-hessian batches (default 256)")
    int[] anchorHessianBatches;

    @Option(names = "--data-pass-examples", paramLabel = "N", description = "examples of the data pass rows (default 1000000)")
    Integer dataPassExamples;

    @Option(names = "--tall-depths", split = ",", paramLabel = "D", description = "tall depths (default 64,128,...,4096, doubling)")
    int[] tallDepths;

    @Option(names = "--kappas", split = ",", paramLabel = "K", description = "target condition numbers of the conditioning workload (default 1e4,1e6,1e8)")
    double[] kappas = {1e4, 1e6, 1e8};

    @Option(names = "--targets", paramLabel = "FILE", description = "targets to check, JSON of the form of the built-in benchmark-targets.json (default: that one)")
    Path targetsFile;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
    boolean help;

    public static void main(String[] args) {
        BenchCli.main("bench", new BenchmarkSuite(), args);
    }

    /** The limits after --quick: an option given explicitly keeps its value. */
    WorkloadRunner.Limits limits() {
        return new WorkloadRunner.Limits(budget != null ? budget : quick ? 60 : 120, workloadBudget != null ? workloadBudget : quick ? 240 : 600,
                krylovMaxIter != null ? krylovMaxIter : quick ? 1000 : 3000, denseMaxParams);
    }

    int[] anchorBatches() { return anchorBatches != null ? anchorBatches : quick ? new int[] {64, 128} : new int[] {64, 128, 256, 512}; }

    int[] outputSpaceBatches() {
        return outputSpaceBatches != null ? outputSpaceBatches : quick ? new int[] {64, 128} : new int[] {64, 128, 256, 512, 1024, 2048};
    }

    int[] anchorHessianBatches() { return anchorHessianBatches != null ? anchorHessianBatches : quick ? new int[] {64} : new int[] {256}; }

    int dataPassExamples() { return dataPassExamples != null ? dataPassExamples : quick ? 100_000 : 1_000_000; }

    int[] tallDepths() { return tallDepths != null ? tallDepths : quick ? new int[] {64, 128, 256, 512} : new int[] {64, 128, 256, 512, 1024, 2048, 4096}; }

    /** Checks the parsed options (an error here is reported like a parse error: one line, exit 2). */
    void validate() {
        for (String w : workloads) BenchCli.require(spec, ALL.contains(w), "unknown workload " + w + "; use " + String.join(", ", ALL));
        WorkloadRunner.Limits l = limits();
        BenchCli.require(spec, l.budgetSeconds() > 0 && l.workloadBudgetSeconds() > 0, "budgets must be > 0 seconds");
        BenchCli.require(spec, l.krylovMaxIter() > 0 && l.denseMaxParams() >= 0, "--krylov-max-iter must be > 0 and --dense-max-params >= 0");
        BenchCli.require(spec, Arrays.stream(anchorBatches()).allMatch(b -> b > 0) && Arrays.stream(tallDepths()).allMatch(d -> d > 0)
                        && Arrays.stream(outputSpaceBatches()).allMatch(b -> b > 0) && Arrays.stream(anchorHessianBatches()).allMatch(b -> b > 0)
                        && dataPassExamples() > 0, "batches, depths and --data-pass-examples must be > 0");
        BenchCli.require(spec, Arrays.stream(kappas).allMatch(k -> k > 1), "condition numbers must be > 1");
        BenchCli.require(spec, targetsFile == null || Files.isRegularFile(targetsFile), "no targets file " + targetsFile);
    }

    Targets targets() throws IOException {
        return targetsFile == null ? Targets.defaults() : Targets.read(targetsFile);
    }

    @Override public Integer call() throws IOException {
        validate();
        Targets targets;
        try {
            targets = targets();
        } catch (IOException | IllegalArgumentException e) {
            BenchCli.require(spec, false, "bad targets file " + targetsFile + ": " + e.getMessage());
            return BenchCli.USAGE;
        }
        run(targets);
        return 0;
    }

    private void run(Targets targets) throws IOException {
        String stamp = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = out.resolve("run-" + stamp);
        Files.createDirectories(dir);
        long t0 = System.nanoTime();
        WorkloadRunner.Limits limits = limits();
        Set<String> chosen = new LinkedHashSet<>(workloads);
        say("hessinv benchmark suite, " + stamp + " UTC" + (quick ? " (quick)" : ""));
        MachineRates rates = MachineRates.measure(quick);
        say("BLAS backend: " + rates.backend());
        say(String.format(Locale.ROOT, "cores %d, max heap %.1f GB, per-row budget %.0f s, Krylov cap %d, workloads %s",
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() / 1e9, limits.budgetSeconds(), limits.krylovMaxIter(), chosen));
        for (DgemmProbe.Sample s : rates.dgemmSamples()) {
            say(String.format(Locale.ROOT, "dgemm n=%d: %.1f GFLOP/s through Blas.gemm (raw serial BLAS.dgemm %.1f)", s.n(), s.facadeGflops(), s.rawGflops()));
        }
        say(String.format(Locale.ROOT, "reference dgemm rate %.1f GFLOP/s; pivot Cholesky (recursive, on gemm, n=2048) %.1f GFLOP/s; "
                + "LAPACK LU of the dense reference (n=768) %.2f GFLOP/s", rates.dgemm(), rates.cholesky(), rates.lapack()));
        Results results = new Results();
        WorkloadRunner runner = new WorkloadRunner(limits, rates, results);
        if (chosen.contains("tall")) runner.tall(tallDepths());
        if (chosen.contains("conditioning")) runner.conditioning(kappas);
        if (chosen.contains("anchor")) runner.anchor(anchorBatches(), outputSpaceBatches());
        if (chosen.contains("anchor-hessian")) runner.anchorHessian(anchorHessianBatches());
        if (chosen.contains("default-direction")) runner.defaultDirection();
        if (chosen.contains("data-pass")) runner.dataPass(dataPassExamples(), 1);
        if (chosen.contains("anchor-proxy")) runner.anchorProxy(anchorBatches());
        // the probe again: the reference rate is the better of the two (a probe slowed by other jobs would inflate every row's %)
        rates = rates.reprobed(quick);
        say(String.format(Locale.ROOT, "dgemm probe at the end: %.1f GFLOP/s (start %.1f); reference rate %.1f GFLOP/s",
                rates.endDgemm(), rates.startDgemm(), rates.dgemm()));
        for (ResultRow r : results.all()) {
            r.dgemm = rates.dgemm();
            if (r.rateExceedsProbe()) say(Report.probeWarning(r));
        }
        Files.write(dir.resolve("dgemm.csv"), Report.dgemmCsv(rates));
        Files.write(dir.resolve("results.csv"), Report.resultsCsv(results));
        Report.RunInfo info = new Report.RunInfo(stamp, quick, limits.budgetSeconds(), limits.krylovMaxIter(), (System.nanoTime() - t0) / 1e9);
        List<String> summary = new ArrayList<>(Report.summary(info, rates, results, targets));
        Files.write(dir.resolve("summary.md"), summary);
        SuitePlots.write(dir, results, targets);
        System.out.println();
        summary.forEach(System.out::println);
        say("wrote " + dir.resolve("results.csv") + ", summary.md, dgemm.csv and the PNG plots in " + dir);
    }

    private static void say(String s) { WorkloadRunner.say(s); }
}
