package org.hessinv.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Peak used heap while it runs: a daemon thread samples {@code MemoryMXBean} heap usage every few
 * milliseconds (a sample can miss a spike shorter than the period; the solve's large arrays live for
 * whole stages, much longer). Includes everything live in the JVM (the problem's data too).
 */
public final class HeapMonitor implements AutoCloseable {
    private final MemoryMXBean bean = ManagementFactory.getMemoryMXBean();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long peak;

    private HeapMonitor(long periodMillis) {
        peak = bean.getHeapMemoryUsage().getUsed();
        thread = new Thread(() -> {
            while (running) {
                sample();
                try {
                    Thread.sleep(periodMillis);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-monitor");
        thread.setDaemon(true);
        thread.start();
    }

    /** Collects garbage first (so the baseline is the live data), then starts sampling every {@code periodMillis}. */
    public static HeapMonitor start(long periodMillis) {
        System.gc();
        return new HeapMonitor(periodMillis);
    }

    private void sample() {
        long used = bean.getHeapMemoryUsage().getUsed();
        if (used > peak) peak = used;
    }

    /** The largest used heap seen so far, in bytes. */
    public long peakBytes() {
        sample();
        return peak;
    }

    @Override public void close() {
        running = false;
        thread.interrupt();
        sample();
    }
}
