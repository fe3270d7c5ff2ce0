package org.hessinv.spark;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.hessinv.model.Example;
import org.hessinv.model.InvalidInputException;
import org.hessinv.model.Network;
import org.hessinv.model.Standardization;
import scala.Tuple2;

/**
 * The examples of a training run, read and validated once: the training set and the validation set
 * (given, or a seeded fraction held out of the data), each indexed 0..n-1 in read order, standardized with
 * the training set's mean and standard deviation, range-partitioned by index, sorted inside each partition
 * and persisted (MEMORY_AND_DISK) for the whole run.
 */
public final class TrainingData implements AutoCloseable {
    private final JavaSparkContext sc;
    private final Broadcast<Network> net;
    private final JavaRDD<Tuple2<Long, Example>> train;
    private final JavaRDD<Tuple2<Long, Example>> validation;
    private final long trainCount;
    private final long validationCount;
    private final Standardization standardization;

    private TrainingData(JavaSparkContext sc, Broadcast<Network> net, JavaRDD<Tuple2<Long, Example>> train,
                         JavaRDD<Tuple2<Long, Example>> validation, long trainCount, long validationCount, Standardization st) {
        this.sc = sc;
        this.net = net;
        this.train = train;
        this.validation = validation;
        this.trainCount = trainCount;
        this.validationCount = validationCount;
        this.standardization = st;
    }

    /** How the validation set is made: none, a held-out fraction of the data, or separate examples. */
    public sealed interface Validation {
        record None() implements Validation {}
        record Fraction(double fraction, long seed) implements Validation {}
        record Given(JavaRDD<Example> examples) implements Validation {}
    }

    /**
     * Indexes, validates and splits the examples, computes the standardization from the training set
     * (or takes {@code given}, e.g. a resumed run's; {@code standardize} false: the identity) and persists both sets.
     */
    public static TrainingData prepare(JavaSparkContext sc, Network network, JavaRDD<Example> examples, Validation validation,
                                       boolean standardize, Standardization given, int partitions) {
        Broadcast<Network> net = sc.broadcast(network);
        JavaRDD<Tuple2<Long, Example>> all = indexed(examples, net);
        JavaRDD<Tuple2<Long, Example>> train = all;
        JavaRDD<Tuple2<Long, Example>> held = sc.emptyRDD();
        long n = all.count();
        if (n == 0) throw new InvalidInputException("the data set has no examples; check --data");
        if (validation instanceof Validation.Fraction f) {
            long m = Math.round(f.fraction() * n);
            if (m < 1 || m >= n) {
                throw new InvalidInputException("--validation-fraction " + f.fraction() + " of " + n + " examples leaves "
                        + (n - m) + " for training and " + m + " for validation; choose a fraction that leaves both sets non-empty");
            }
            Broadcast<BitSet> chosen = sc.broadcast(CurvatureSample.choose(n, m, f.seed()));
            held = reindex(all.filter(t -> chosen.value().get(Math.toIntExact(t._1()))));
            train = reindex(all.filter(t -> !chosen.value().get(Math.toIntExact(t._1()))));
        } else if (validation instanceof Validation.Given g) {
            held = indexed(g.examples(), net);
        }
        long trainCount = train.count();
        long validationCount = held.count();
        Standardization st = given != null ? given : !standardize ? Standardization.identity(network.inputSize())
                : standardization(sc, train, net, trainCount);
        Broadcast<Standardization> stB = sc.broadcast(st);
        JavaRDD<Tuple2<Long, Example>> trainReady = ordered(train.map(t -> new Tuple2<>(t._1(), stB.value().apply(t._2()))), trainCount, partitions);
        JavaRDD<Tuple2<Long, Example>> heldReady = ordered(held.map(t -> new Tuple2<>(t._1(), stB.value().apply(t._2()))),
                Math.max(1, validationCount), Math.max(1, Math.min(partitions, (int) Math.max(1, validationCount))));
        trainReady.count();
        heldReady.count();
        return new TrainingData(sc, net, trainReady, heldReady, trainCount, validationCount, st);
    }

    /** (index, example) in read order, each example validated against the network. */
    private static JavaRDD<Tuple2<Long, Example>> indexed(JavaRDD<Example> examples, Broadcast<Network> net) {
        return examples.zipWithIndex().map(t -> {
            net.value().validateExample(t._1(), t._2());
            return new Tuple2<>(t._2(), t._1());
        });
    }

    /** Indices 0..m-1 in the order of the old indices. */
    private static JavaRDD<Tuple2<Long, Example>> reindex(JavaRDD<Tuple2<Long, Example>> subset) {
        return subset.map(Tuple2::_2).zipWithIndex().map(t -> new Tuple2<>(t._2(), t._1()));
    }

    /** Range-partitioned by index, sorted by index inside each partition, persisted. */
    private static JavaRDD<Tuple2<Long, Example>> ordered(JavaRDD<Tuple2<Long, Example>> data, long n, int partitions) {
        JavaPairRDD<Long, Example> pairs = data.mapToPair(t -> t);
        return pairs.repartitionAndSortWithinPartitions(new IndexRangePartitioner(n, partitions), Comparator.<Long>naturalOrder())
                .map(t -> t).persist(StorageLevel.MEMORY_AND_DISK());
    }

    /** mean = (1/n) sum f, then scale^2 = (1/n) sum (f - mean)^2 (two passes: no cancellation). */
    private static Standardization standardization(JavaSparkContext sc, JavaRDD<Tuple2<Long, Example>> train, Broadcast<Network> net, long n) {
        double[] mean = ExamplePasses.featureSums(sc, train, net, null);
        for (int k = 0; k < mean.length; k++) mean[k] /= n;
        double[] squares = ExamplePasses.featureSums(sc, train, net, mean);
        return Standardization.of(mean, squares, n);
    }

    /** The curvature batch: the examples of the chosen training indices, in index order, on the driver. */
    public List<Example> gather(BitSet chosen) {
        Broadcast<BitSet> c = sc.broadcast(chosen);
        try {
            List<Tuple2<Long, Example>> rows = new ArrayList<>(train.filter(t -> c.value().get(Math.toIntExact(t._1()))).collect());
            rows.sort(Comparator.comparingLong(Tuple2::_1));
            List<Example> out = new ArrayList<>(rows.size());
            for (Tuple2<Long, Example> r : rows) out.add(r._2());
            return out;
        } finally {
            c.destroy();
        }
    }

    public JavaSparkContext context() { return sc; }

    public Broadcast<Network> network() { return net; }

    public JavaRDD<Tuple2<Long, Example>> train() { return train; }

    public JavaRDD<Tuple2<Long, Example>> validation() { return validation; }

    public long trainCount() { return trainCount; }

    public long validationCount() { return validationCount; }

    public Standardization standardization() { return standardization; }

    @Override public void close() {
        train.unpersist(false);
        validation.unpersist(false);
    }
}
