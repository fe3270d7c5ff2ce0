package org.hessinv.spark;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.filter.AbstractFilter;
import org.hessinv.model.InvalidInputException;

/**
 * Keeps Spark from logging a task failure caused by bad input ({@link InvalidInputException} thrown on an executor)
 * at ERROR / WARN on the console: the job reports it itself, on one line. Spark logs such a failure several times
 * (the executor's "Exception in task", the scheduler's "Lost task", "aborting job", the stage's other tasks killed,
 * their shuffle files deleted); all of them are dropped, and so is the harmless "Error deleting" warning of a failed
 * task's never-created shuffle file. Anything else is logged as configured.
 *
 * <p>Installed by the command-line programs on the driver's log4j configuration ({@link #install()}); in local mode
 * the executors share that JVM. On a cluster the executors log to their own files, which keep the full record.
 */
public final class UserErrorLogFilter extends AbstractFilter {
    private static final String MARKER = InvalidInputException.class.getName();
    private static final Pattern STAGE = Pattern.compile("in stage (\\d+\\.\\d+)");
    /** How long after a dropped bad-input failure its follow-up messages (kills, cleanup) are dropped too. */
    private static final long FOLLOW_UP_NANOS = 30_000_000_000L;
    private static final Set<String> FOLLOW_UP_LOGGERS = Set.of("org.apache.spark.scheduler.TaskSetManager",
            "org.apache.spark.executor.Executor", "org.apache.spark.storage.DiskBlockObjectWriter",
            "org.apache.spark.scheduler.TaskSchedulerImpl", "org.apache.spark.storage.BlockManager");

    /** Loggers of Spark's connection to a standalone master, quiet while {@link #connecting(boolean)} is set. */
    private static final java.util.List<String> CONNECT_LOGGERS = java.util.List.of("org.apache.spark.deploy.client",
            "org.apache.spark.network", "org.apache.spark.rpc", "org.apache.spark.scheduler.cluster", "org.apache.spark.SparkContext",
            "org.apache.spark.util.Utils");
    private static volatile boolean connecting;

    /**
     * While set, drops Spark's warnings and errors about connecting to a standalone master: {@link MasterUrl#session}
     * reports a master that does not accept the application itself, on one line.
     */
    public static void connecting(boolean on) { connecting = on; }

    private final Set<String> badStages = ConcurrentHashMap.newKeySet();
    private volatile long lastDropped = Long.MIN_VALUE / 2;

    private UserErrorLogFilter() {
        super(Filter.Result.NEUTRAL, Filter.Result.NEUTRAL);
    }

    /** Adds the filter to every logger configuration of the current log4j context (once). */
    public static synchronized void install() {
        if (!(LogManager.getContext(false) instanceof LoggerContext ctx)) return;
        Configuration config = ctx.getConfiguration();
        UserErrorLogFilter filter = null;
        for (LoggerConfig lc : config.getLoggers().values()) {
            if (lc.getFilter() instanceof UserErrorLogFilter f) filter = f;
        }
        if (filter == null) {
            filter = new UserErrorLogFilter();
            filter.start();
        }
        boolean changed = false;
        for (LoggerConfig lc : config.getLoggers().values()) changed |= add(lc, filter);
        changed |= add(config.getRootLogger(), filter);
        if (changed) ctx.updateLoggers();
    }

    private static boolean add(LoggerConfig lc, UserErrorLogFilter filter) {
        if (lc.getFilter() == filter) return false;
        if (lc.getFilter() instanceof org.apache.logging.log4j.core.filter.CompositeFilter c) {
            for (Filter f : c.getFiltersArray()) if (f == filter) return false;
        }
        lc.addFilter(filter);
        return true;
    }

    @Override public Result filter(LogEvent event) {
        if (!event.getLevel().isMoreSpecificThan(org.apache.logging.log4j.Level.WARN)) return Result.NEUTRAL;
        String message = event.getMessage() == null ? "" : String.valueOf(event.getMessage().getFormattedMessage());
        if (causedByBadInput(event.getThrown()) || message.contains(MARKER)) {
            Matcher m = STAGE.matcher(message);
            while (m.find()) badStages.add(m.group(1));
            lastDropped = System.nanoTime();
            return Result.DENY;
        }
        if (event.getLoggerName().equals("org.apache.spark.storage.DiskBlockObjectWriter") && message.startsWith("Error deleting")) {
            // a failed or killed task's shuffle file that was never created: harmless, and it comes before the failure is logged
            return Result.DENY;
        }
        if (connecting) {
            for (String prefix : CONNECT_LOGGERS) if (event.getLoggerName().startsWith(prefix)) return Result.DENY;
        }
        if (message.startsWith("Service 'SparkUI' could not bind on port")) return Result.DENY;   // another job has the port: Spark takes the next
        Matcher m = STAGE.matcher(message);
        if (message.contains("aborting job") && m.find() && badStages.contains(m.group(1))) return Result.DENY;
        if (System.nanoTime() - lastDropped < FOLLOW_UP_NANOS && FOLLOW_UP_LOGGERS.contains(event.getLoggerName())) {
            return Result.DENY;   // the failed job's other tasks being killed and their files removed
        }
        return Result.NEUTRAL;
    }

    private static boolean causedByBadInput(Throwable t) {
        for (int depth = 0; t != null && depth < 50; t = t.getCause(), depth++) {
            if (t instanceof InvalidInputException || String.valueOf(t.getMessage()).contains(MARKER)) return true;
        }
        return false;
    }
}
