package org.hessinv.bench;

import java.util.function.Supplier;

/** Best-of-k wall-clock timing, the one way the benchmarks time a task. */
public final class Stopwatch {
    private Stopwatch() {}

    /** The result of a task's last run and the seconds of its fastest run. */
    public record Best<T>(T result, double seconds) {}

    /** Runs the task {@code repeats} times (at least once): its last result and min over runs of the wall time. */
    public static <T> Best<T> best(int repeats, Supplier<T> task) {
        T result = null;
        double best = Double.MAX_VALUE;
        for (int r = 0; r < Math.max(1, repeats); r++) {
            long t = System.nanoTime();
            result = task.get();
            best = Math.min(best, (System.nanoTime() - t) / 1e9);
        }
        return new Best<>(result, best);
    }

    /** Seconds of the fastest of {@code repeats} runs of a task without a result. */
    public static double bestSeconds(int repeats, Runnable task) {
        return best(repeats, () -> {
            task.run();
            return null;
        }).seconds();
    }
}
