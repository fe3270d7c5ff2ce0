package org.hessinv.cli;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.hessinv.model.InvalidInputException;
import org.hessinv.spark.KryoRegistration;
import org.hessinv.spark.MasterUrl;
import picocli.CommandLine.Option;

/** The options every Spark entry point shares (a picocli mixin), and the session they describe. */
final class SparkOptions {
    @Option(names = "--master", paramLabel = "URL", description = "Spark master (default local[*]; spark-submit --master also works).")
    String master;
    @Option(names = "--partitions", paramLabel = "N", description = "Example partitions (default: Spark's default parallelism).")
    Integer partitions;
    @Option(names = "--verbose", description = "On bad input, also print the trace and keep Spark's log of failed tasks.")
    boolean verbose;

    /** --partitions, 0 when not given (then Spark's default parallelism); refuses a count below 1. */
    int partitionsOrZero() {
        if (partitions != null && partitions < 1) throw new InvalidInputException("--partitions must be >= 1, got " + partitions);
        return partitions != null ? partitions : 0;
    }

    /** The session of the application {@code app}: Kryo registration, the master (checked to answer before Spark starts). */
    SparkSession session(String app) {
        SparkConf conf = KryoRegistration.register(new SparkConf().setAppName(app));
        if (master != null) conf.setMaster(master);
        else if (!conf.contains("spark.master")) conf.setMaster("local[*]");
        MasterUrl.check(conf.get("spark.master"));
        return SparkSession.builder().config(conf).getOrCreate();
    }
}
