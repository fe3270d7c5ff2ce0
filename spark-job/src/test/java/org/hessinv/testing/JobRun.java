package org.hessinv.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.spark.sql.SparkSession;
import org.hessinv.cli.NewtonDirectionJob;

/** One run of the job in this JVM: its exit code and what it wrote to standard error. */
public record JobRun(int code, String stderr) {
    /** The last line written to standard error (the one-line error of a refused run). */
    public String lastLine() {
        String s = stderr.strip();
        return s.substring(s.lastIndexOf('\n') + 1);
    }

    /** An entry point run in this JVM: {@code run(args, spark)} returning the exit code. */
    @FunctionalInterface
    public interface Entry {
        int run(String[] args, SparkSession spark);
    }

    /** Runs {@code NewtonDirectionJob.run(args, spark)}, capturing standard error. */
    public static JobRun of(SparkSession spark, String... args) { return of(NewtonDirectionJob::run, spark, args); }

    /** Runs {@code entry.run(args, spark)}, capturing standard error. */
    public static JobRun of(Entry entry, SparkSession spark, String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return new JobRun(entry.run(args, spark), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
        }
    }
}
