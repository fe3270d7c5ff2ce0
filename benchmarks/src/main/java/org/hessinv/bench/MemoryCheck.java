package org.hessinv.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import org.hessinv.cli.DefaultProblem;
import org.hessinv.curvature.Curvature;
import org.hessinv.curvature.ExampleBatch;
import org.hessinv.data.GaussianMixture;
import org.hessinv.model.Example;
import org.hessinv.model.ModelSpec;
import org.hessinv.model.Network;
import org.hessinv.model.SoftmaxHead;
import org.hessinv.solve.OutputSpaceGgn;
import org.hessinv.solve.RiccatiSolver;
import org.hessinv.solve.SolveMemory;
import org.hessinv.solve.SweepProgress;
import org.hessinv.train.MemoryBudget;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The memory estimate against the heap the solve really uses: for each preset x curvature batch x
 * curvature x route, one fresh JVM (so peaks do not mix) with {@code -Xmx} = the smallest heap the job's
 * check accepts ({@code estimate / HEAP_SHARE}, or a given one) runs the engine's solve on generated data
 * of the preset's shape and reports whether it finished, its peak used heap (sampled, includes garbage)
 * and its peak heap after a collection (the live data), both above the heap held before the solve.
 * Writes a CSV; shapes whose heap would exceed {@code --max-gb} are listed as skipped.
 */
@Command(name = "bench-memory", sortOptions = false, usageHelpAutoWidth = true,
        description = "Memory estimate vs measured peak heap of the engine's solves, one fresh JVM per point.")
public final class MemoryCheck implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--presets", split = ",", paramLabel = "NAME",
            description = "presets (default ${DEFAULT-VALUE}): default (= conf/models/deep-narrow.json), digits, wide-input (= the anchor), paper-square, anchor-proxy, tall-1024")
    List<String> presets = List.of("default", "digits", "wide-input", "paper-square", "anchor-proxy", "tall-1024");

    @Option(names = "--batches", split = ",", paramLabel = "B", description = "curvature batch sizes (default ${DEFAULT-VALUE})")
    List<Integer> batches = List.of(64, 128, 256, 512);

    @Option(names = "--curvatures", split = ",", paramLabel = "C", description = "hessian, ggn (default ${DEFAULT-VALUE})")
    List<String> curvatures = List.of("hessian", "ggn");

    @Option(names = "--routes", split = ",", paramLabel = "R", description = "riccati, output-space (ggn only) (default ${DEFAULT-VALUE})")
    List<String> routes = List.of("riccati", "output-space");

    @Option(names = "--xmx-mb", paramLabel = "MB", description = "heap of every point's JVM (default: the smallest the check accepts, estimate / HEAP_SHARE)")
    long xmxMb = 0;

    @Option(names = "--heap-factors", split = ",", paramLabel = "F",
            description = "heaps to try, as multiples of the estimate, ascending until the solve finishes (default: 1 / HEAP_SHARE, the smallest the check accepts)")
    List<Double> heapFactors = List.of();

    @Option(names = "--max-gb", paramLabel = "GB", description = "skip points whose heap would exceed this (default ${DEFAULT-VALUE})")
    double maxGb = 16;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "per point (default ${DEFAULT-VALUE})")
    long timeout = 900;

    @Option(names = "--out", paramLabel = "FILE.csv", description = "CSV written (default ${DEFAULT-VALUE})")
    Path out = Path.of("target/bench/memory-check.csv");

    @Option(names = "--dry-run", description = "print each point's estimate and heap without running it")
    boolean dryRun;

    @Option(names = "--point", hidden = true, description = "run one point in this JVM: PRESET,B,CURVATURE,ROUTE")
    String point;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
    boolean help;

    public static void main(String[] args) {
        BenchCli.main("bench-memory", new MemoryCheck(), args);
    }

    static final String HEADER = "preset,batch,curvature,route,estimate_gb,xmx_gb,heap_over_estimate,status,baseline_gb,peak_used_gb,peak_live_gb,"
            + "used_ratio,live_ratio,seconds";

    @Override public Integer call() throws Exception {
        if (point != null) return runPoint(point);
        BenchCli.require(spec, batches.stream().allMatch(b -> b > 0), "--batches must be > 0");
        for (String p : presets) preset(p); // fails early on an unknown name
        List<String> rows = new ArrayList<>();
        rows.add(HEADER);
        System.out.println(HEADER);
        for (String name : presets) {
            for (String curvature : curvatures) {
                for (String route : routes) {
                    if (route.equals("output-space") && !curvature.equals("ggn")) continue;
                    for (int b : batches) {
                        List<Double> factors = heapFactors.isEmpty() ? List.of(1 / SolveMemory.HEAP_SHARE) : heapFactors;
                        for (double factor : factors) {
                            String row = measure(name, b, curvature, route, factor);
                            rows.add(row);
                            System.out.println(row);
                            if (!row.contains(",OOM,")) break;
                        }
                        Files.createDirectories(out.toAbsolutePath().getParent());
                        Files.write(out, rows, StandardCharsets.UTF_8);
                    }
                }
            }
        }
        System.out.println("wrote " + out);
        return 0;
    }

    /** One point in a fresh JVM; its row (status skipped when the heap exceeds --max-gb). */
    private String measure(String name, int b, String curvature, String route, double factor) throws IOException, InterruptedException {
        Network net = preset(name).net();
        boolean outputSpace = outputSpace(route);
        // the check's rule: the smallest heap (16 MB steps) it accepts, and the estimate in that heap's regions;
        // other factors scale that heap
        long accepted = MemoryBudget.smallestHeap(net, b, outputSpace, 16L << 20);
        long xmx = xmxMb > 0 ? xmxMb << 20 : (long) Math.ceil(accepted * factor * SolveMemory.HEAP_SHARE / (16L << 20)) * (16L << 20);
        long estimate = MemoryBudget.needBytes(net, b, outputSpace, xmx);
        String head = String.format(Locale.ROOT, "%s,%d,%s,%s,%.3f,%.3f,%.2f", name, b, curvature, route, estimate / 1e9, xmx / 1e9,
                (double) xmx / estimate);
        if (xmx > maxGb * 1e9) return head + ",skipped (heap over " + maxGb + " GB),,,,,,";
        if (dryRun) return head + ",not run,,,,,,";
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + (xmx >> 20) + "m");
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) if (!a.startsWith("-Xmx") && !a.startsWith("-Xms")) cmd.add(a);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(MemoryCheck.class.getName());
        cmd.add("--point=" + name + "," + b + "," + curvature + "," + route);
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String result = null;
        StringBuilder log = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("POINT ")) result = line.substring(6);
                else log.append(line).append('\n');
            }
        }
        if (!proc.waitFor(timeout, TimeUnit.SECONDS)) {
            proc.destroyForcibly();
            return head + ",timeout,,,,,,";
        }
        if (result == null) {
            String last = log.toString().strip().lines().reduce((a, c) -> c).orElse("").replace(',', ';');
            return head + ",failed (exit " + proc.exitValue() + ": " + last + "),,,,,,";
        }
        // status, baseline, peak used, peak live, seconds
        String[] f = result.split(",");
        double base = Double.parseDouble(f[1]), used = Double.parseDouble(f[2]), live = Double.parseDouble(f[3]);
        return head + String.format(Locale.ROOT, ",%s,%.3f,%.3f,%.3f,%.3f,%.3f,%s", f[0], base / 1e9, used / 1e9, live / 1e9,
                used / estimate, live / estimate, f[4]);
    }

    private static boolean outputSpace(String route) {
        return switch (route) {
            case "riccati" -> false;
            case "output-space" -> true;
            default -> throw new IllegalArgumentException("unknown route " + route + "; use riccati or output-space");
        };
    }

    /** A preset: its network, parameters, and examples of its shape. */
    record Preset(Network net, double[] x, double damping, DataSource data) {}

    /** Example i of a preset's data. */
    interface DataSource {
        Example example(long i);
    }

    static Preset preset(String name) {
        return switch (name) {
            case "default" -> {
                Network net = DefaultProblem.network();
                double[] teacher = net.initialParameters(DefaultProblem.TEACHER_SEED);
                yield new Preset(net, net.initialParameters(1), 1e-3, i -> DefaultProblem.example(net, teacher, i));
            }
            case "digits", "wide-input", "paper-square" -> {
                Network net = ModelSpec.read(Path.of("conf/models/" + name + ".json"));
                yield new Preset(net, net.initialParameters(1), 1e-3, dataFor(net));
            }
            case "anchor-proxy" -> {
                Workloads.Problem p = Workloads.anchorProxy(1);
                yield new Preset(p.net, p.x, Workloads.ANCHOR_DAMPING, dataFor(p.net));
            }
            case "tall-1024" -> {
                Workloads.Problem p = Workloads.tall(1024);
                yield new Preset(p.net, p.x, Workloads.TALL_DAMPING, dataFor(p.net));
            }
            default -> throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(new MemoryCheck()),
                    "unknown preset " + name + "; use default, digits, wide-input, paper-square, anchor-proxy, tall-1024");
        };
    }

    /** Mixture data for a softmax head, Gaussian features and responses for an mse head. */
    private static DataSource dataFor(Network net) {
        if (net.head() instanceof SoftmaxHead) {
            GaussianMixture g = new GaussianMixture(net.inputSize(), net.head().units(), 3.0, 1.0, 5);
            return g::example;
        }
        return i -> {
            SplittableRandom rng = new SplittableRandom(42 ^ (i * 0x9E3779B97F4A7C15L));
            double[] f = new double[net.inputSize()];
            for (int k = 0; k < f.length; k++) f[k] = Network.gaussian(rng);
            double[] y = new double[net.head().units()];
            for (int k = 0; k < y.length; k++) y[k] = Network.gaussian(rng);
            return new Example(f, y);
        };
    }

    /** Runs one point in this JVM and prints {@code POINT status,baseline,peakUsed,peakLive,seconds} (bytes). */
    private static int runPoint(String p) {
        String[] f = p.split(",");
        Preset pre = preset(f[0]);
        int b = Integer.parseInt(f[1]);
        Curvature curvature = f[2].equals("ggn") ? Curvature.GGN : Curvature.HESSIAN;
        String route = f[3];
        List<Example> ex = new ArrayList<>(b);
        for (int i = 0; i < b; i++) ex.add(pre.data().example(i));
        ExampleBatch batch = new ExampleBatch(pre.net(), pre.x(), ex, curvature);
        double[] r = batch.gradient();
        int segment = SolveMemory.segmentLength(pre.net(), b, Runtime.getRuntime().maxMemory());
        AtomicLong live = new AtomicLong();
        listenAfterCollections(live);
        System.gc();
        long baseline = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        live.set(baseline);
        String status = "ok";
        long t0 = System.nanoTime();
        long used;
        try (HeapMonitor monitor = HeapMonitor.start(2)) {
            try {
                if (route.equals("riccati")) {
                    RiccatiSolver.solve(batch, pre.damping(), r, SweepProgress.NONE, org.hessinv.solve.SweepOptions.DEFAULT.withSegment(segment));
                } else {
                    // every use of the output-space factorization: the Cholesky solve, then the eigendecomposition and a sample
                    OutputSpaceGgn g = OutputSpaceGgn.factor(pre.net(), pre.x(), ex);
                    g.solve(pre.damping(), r);
                    g.logAbsDet(pre.damping());
                    g.eigen();
                    g.sampleMap(pre.damping(), r);
                }
            } catch (OutOfMemoryError e) {
                status = "OOM";
            }
            used = monitor.peakBytes();
        }
        System.gc();
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "POINT %s,%d,%d,%d,%.1f%n", status, baseline, used, Math.max(live.get(), baseline), seconds);
        return 0;
    }

    /** Keeps in {@code peak} the largest heap in use right after any collection (the live data then). */
    private static void listenAfterCollections(AtomicLong peak) {
        java.util.Set<String> heapPools = new java.util.HashSet<>();
        for (java.lang.management.MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == java.lang.management.MemoryType.HEAP) heapPools.add(pool.getName());
        }
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener((n, h) -> {
                if (!n.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) return;
                GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                long after = 0;
                for (java.util.Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                    if (heapPools.contains(e.getKey())) after += e.getValue().getUsed();
                }
                peak.accumulateAndGet(after, Math::max);
            }, null, null);
        }
    }
}
