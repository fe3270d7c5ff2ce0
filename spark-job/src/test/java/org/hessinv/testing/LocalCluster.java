package org.hessinv.testing;

import java.io.File;
import java.nio.file.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.hessinv.spark.KryoRegistration;

/**
 * A Spark session on {@code local-cluster[2,1,1024]}: two executors in their own JVMs (what a cluster
 * does: every closure and record is serialized, here with Kryo), run from the module's compiled classes.
 */
public final class LocalCluster {
    private LocalCluster() {}

    public static SparkSession start(String appName) {
        String classes = Path.of("target", "classes").toAbsolutePath() + File.pathSeparator
                + Path.of("target", "test-classes").toAbsolutePath();
        SparkConf conf = KryoRegistration.register(new SparkConf()
                .setMaster("local-cluster[2,1,1024]")
                .setAppName(appName)
                .set("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .set("spark.executor.extraClassPath", classes)
                .set("spark.executor.extraJavaOptions", System.getProperty("hessinv.sparkJvmOptions"))
                .set("spark.executor.memory", "512m")
                .set("spark.ui.enabled", "false"));
        return SparkSession.builder().config(conf).getOrCreate();
    }
}
