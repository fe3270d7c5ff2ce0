package org.hessinv.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.hessinv.curvature.Curvature;
import org.hessinv.io.Json;
import org.hessinv.io.Npy;
import org.hessinv.model.Example;
import org.hessinv.model.InvalidInputException;
import org.hessinv.model.ModelSpec;
import org.hessinv.model.Network;
import org.hessinv.model.Standardization;
import org.hessinv.spark.CurvatureSample;
import org.hessinv.spark.ExampleReader;
import org.hessinv.spark.TrainingData;
import org.hessinv.train.CurvatureRoute;
import org.hessinv.train.DampedCurvature;

/**
 * What {@code influence} and {@code evidence} share: a trained network (model spec, parameters, the train run's
 * standardization as {@code predict} applies it), a data set read, validated, standardized and persisted
 * ({@link TrainingData}, no validation split), and the curvature of the mean training loss on a seeded batch.
 */
final class TrainedModel {
    private TrainedModel() {}

    static Network network(String model) {
        Path p = Path.of(model);
        if (!Files.isRegularFile(p)) throw new InvalidInputException("model spec " + model + " does not exist; check --model");
        return ModelSpec.read(p);
    }

    static double[] params(Network net, String params) {
        Path p = Path.of(params);
        if (!Files.isRegularFile(p)) throw new InvalidInputException("parameters " + params + " do not exist; check --params");
        double[] x = Npy.read(p);
        net.validateParameters(x);
        return x;
    }

    /** The standardization of the train run (standardization.json next to the parameters), unless disabled. */
    static Standardization standardization(Network net, String params, String given, boolean none) {
        if (none) {
            if (given != null) throw new InvalidInputException("give --standardization or --no-standardization, not both");
            return Standardization.identity(net.inputSize());
        }
        Path p = given != null ? Path.of(given) : Path.of(params).toAbsolutePath().getParent().resolve("standardization.json");
        if (!Files.isRegularFile(p)) {
            throw new InvalidInputException("no standardization at " + p + "; give the train run's standardization.json with --standardization, "
                    + "or --no-standardization for a run trained with --no-standardize");
        }
        Standardization st = Json.read(p, Standardization.class);
        if (st.mean().length != net.inputSize()) {
            throw new InvalidInputException("standardization " + p + " has " + st.mean().length + " features but the model input is "
                    + net.inputSize() + "; give the one written by the run that trained these parameters");
        }
        return st;
    }

    static TrainingData read(SparkSession spark, Network net, String path, String format, Standardization st, int partitions) {
        ExampleReader.Format fmt = format != null ? ExampleReader.Format.fromSpec(format) : ExampleReader.Format.guess(path);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int parts = partitions > 0 ? partitions : sc.defaultParallelism();
        return TrainingData.prepare(sc, net, ExampleReader.read(spark, path, fmt, net), new TrainingData.Validation.None(), false, st, parts);
    }

    /** The curvature batch: all examples (0) or a seeded draw of {@code batch}; more than the data is refused when given explicitly, else all. */
    static List<Example> batch(TrainingData d, long batch, long seed, boolean explicit) {
        long n = d.trainCount();
        if (batch > n && !explicit) batch = 0;
        if (batch > n) {
            throw new InvalidInputException("--curvature-batch " + batch + " is larger than the " + n + " training examples; give at most "
                    + n + " or \"all\"");
        }
        BitSet chosen = new BitSet();
        if (batch <= 0 || batch == n) chosen.set(0, Math.toIntExact(n));
        else chosen = CurvatureSample.choose(n, batch, seed);
        return d.gather(chosen);
    }

    static DampedCurvature curvature(Network net, double[] x, List<Example> batch, Curvature c, String solver) {
        CurvatureRoute route = CurvatureRoute.fromSpec(solver).resolve(net, batch.size(), c);
        return route.at(net, x, batch, c);
    }
}
