package org.hessinv.spark;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.hessinv.curvature.Curvature;
import org.hessinv.curvature.ExampleSweep;
import org.hessinv.curvature.LayerStage;
import org.hessinv.curvature.RPass;
import org.hessinv.curvature.StageRecord;
import org.hessinv.model.Example;
import org.hessinv.model.Network;
import org.hessinv.solve.ResidualCertificate;
import org.hessinv.curvature.ExampleBatch;
import org.hessinv.solve.CurvatureSystem;
import org.hessinv.solve.DirectionSolution;
import org.hessinv.solve.DirectionSolver;
import org.hessinv.solve.RiccatiSolver;
import org.hessinv.solve.SolverChoice;
import org.hessinv.solve.SweepProgress;
import scala.Tuple2;

/**
 * The dataflow of one Newton direction (MATH.md section 7): broadcast x; loss and gradient by
 * treeAggregate; per-example stage records of the curvature batch keyed by layer and partitioned by
 * layer range, with {@code sum_i S^i} reduced per layer; the driver's Riccati sweeps pulling one layer
 * range at a time (or another {@link DirectionSolver}: the paper's section 6 route over the same stages, or, for
 * the routes that read examples (output-space GGN, dense reference), the curvature batch gathered to the driver);
 * the residual certificate by a distributed R-pass.
 */
public final class NewtonDirectionPipeline {
    private NewtonDirectionPipeline() {}

    /** What the pipeline computed, with phase timings in seconds; {@code layerRanges} 0 when the route gathered the batch's examples. */
    public record Result(double loss, double[] gradient, double[] rhs, DirectionSolution solution, double residual,
                         long examples, long curvatureExamples, int layerRanges, Map<String, Double> timings) {}

    /** Inputs of one run. {@code rhs} null means the gradient. {@code curvatureBatch} 0 means all examples, -k at most k (all when fewer). */
    public record Request(Network net, double[] x, JavaRDD<Example> examples, Curvature curvature, double damping,
                          long curvatureBatch, long seed, double[] rhs, int partitions, SweepProgress progress, SolverChoice solver,
                          double maxResidual) {
        /** The default solver (riccati) and residual limit. */
        public Request(Network net, double[] x, JavaRDD<Example> examples, Curvature curvature, double damping,
                       long curvatureBatch, long seed, double[] rhs, int partitions, SweepProgress progress) {
            this(net, x, examples, curvature, damping, curvatureBatch, seed, rhs, partitions, progress, SolverChoice.RICCATI,
                    ResidualCertificate.DEFAULT_LIMIT);
        }
    }

    public static Result run(JavaSparkContext sc, Request q) {
        Map<String, Double> timings = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        Network net = q.net();
        Broadcast<Network> netB = sc.broadcast(net);
        Broadcast<double[]> xB = sc.broadcast(q.x());

        // examples indexed 0..N-1 in input order: the index, not the partitioning, defines every ordering below
        // (indexed in read order before repartitioning, so --partitions cannot change which example is which)
        JavaPairRDD<Example, Long> indexed = q.examples().zipWithIndex();
        JavaRDD<Tuple2<Long, Example>> examples = indexed.map(t -> {
            netB.value().validateExample(t._1(), t._2());
            return new Tuple2<>(t._2(), t._1());
        }).repartition(q.partitions()).persist(StorageLevel.MEMORY_AND_DISK());
        long n = examples.count();
        if (n == 0) throw new org.hessinv.model.InvalidInputException("the data set has no examples; check --data");
        // a negative curvature batch -k (the command line's default) means "k, or all examples when there are fewer"
        long asked = q.curvatureBatch() < 0 ? Math.min(-q.curvatureBatch(), n) : q.curvatureBatch();
        if (asked > n) {
            throw new org.hessinv.model.InvalidInputException("--curvature-batch " + asked + " is larger than the data ("
                    + n + " examples); give --curvature-batch all or at most " + n);
        }
        // the driver-memory check from the shapes, once the batch is known and before any pass over the data
        int segment = org.hessinv.train.MemoryBudget.of("newton-direction").require(net, asked > 0 ? asked : n, q.curvature(), q.solver().specName());
        timings.put("load", seconds(t0));

        // loss and gradient: F = (1/N) sum_i loss_i, g = dF/dx
        long t1 = System.nanoTime();
        int p = net.paramCount();
        double w = 1.0 / n;
        // binned sums: the same bits for any partitioning and task completion order
        double[] acc = ReproducibleReduction.sumOverExamples(examples, p + 1, (e, a) -> {
            ExampleSweep s = new ExampleSweep(netB.value(), xB.value(), e._2(), w);
            s.accumulateGradient(a);
            a[p] += w * s.loss();
        });
        double[] gradient = java.util.Arrays.copyOf(acc, p);
        double loss = acc[p];
        double[] rhs = q.rhs() == null ? gradient : q.rhs();
        timings.put("gradient", seconds(t1));

        // curvature batch: all examples, or a seeded sample of indices chosen on the driver
        long t2 = System.nanoTime();
        JavaRDD<Tuple2<Long, Example>> batch = examples;
        long bc = n;
        if (asked > 0 && asked < n) {
            java.util.BitSet chosen = CurvatureSample.choose(n, asked, q.seed());
            Broadcast<java.util.BitSet> chosenB = sc.broadcast(chosen);
            batch = examples.filter(t -> chosenB.value().get(Math.toIntExact(t._1())));
            bc = asked;
        }
        // the route for this batch (auto: the cheaper by the cost models, for this one damping)
        DirectionSolver solver = q.solver().resolve(net, bc, q.curvature(), q.damping(), 1);
        Curvature curvature = q.curvature();
        double wc = 1.0 / bc;
        CurvatureSystem system;
        JavaRDD<LayerBatch> layerBatches = null;   // the stage blocks on the executors, when the route reads them
        int layerRanges = 0;
        if (solver.readsExamples()) {
            // the route works on the batch's examples: gathered to the driver in example-index order
            List<Tuple2<Long, Example>> gathered = new ArrayList<>(batch.collect());
            gathered.sort(Comparator.comparingLong(Tuple2::_1));
            List<Example> local = new ArrayList<>(gathered.size());
            for (Tuple2<Long, Example> t : gathered) local.add(t._2());
            system = new CurvatureSystem.Examples(new ExampleBatch(net, q.x(), local, curvature));
        } else {
            int stages = net.stageCount();
            LayerRangePartitioner ranges = new LayerRangePartitioner(stages, Math.max(q.partitions(), 1));
            layerBatches = batch.flatMapToPair(t -> {
                ExampleSweep s = new ExampleSweep(netB.value(), xB.value(), t._2(), wc);
                List<Tuple2<Integer, Tuple2<Long, StageRecord>>> out = new ArrayList<>(stages);
                for (int l = 0; l < stages; l++) out.add(new Tuple2<>(l, new Tuple2<>(t._1(), s.record(l, curvature))));
                return out.iterator();
            }).partitionBy(ranges).mapPartitions(it -> layerBatchesOf(it, netB.value(), xB.value()))
                    .persist(StorageLevel.MEMORY_AND_DISK());
            layerBatches.count();
            layerRanges = ranges.numPartitions();
            system = new CurvatureSystem.Stages(net, bc, new SparkStageSource(net, q.x(), layerBatches, ranges), segment);
        }
        timings.put("blocks", seconds(t2));

        // the exact solve on the driver
        long t3 = System.nanoTime();
        DirectionSolution solution = solver.solve(system, q.damping(), rhs, q.progress());
        timings.put("solve", seconds(t3));

        // certificate: ||(C + delta I) d - r|| / ||r|| by a distributed R-pass over the curvature batch
        long t4 = System.nanoTime();
        Broadcast<double[]> dB = sc.broadcast(solution.direction());
        double[] cd = ReproducibleReduction.sumOverExamples(batch, p, (t, a) ->
                RPass.accumulate(new ExampleSweep(netB.value(), xB.value(), t._2(), wc), curvature, dB.value(), a));
        double residual = relativeResidual(cd, solution.direction(), q.damping(), rhs);
        timings.put("certify", seconds(t4));

        if (layerBatches != null) layerBatches.unpersist(false);
        examples.unpersist(false);
        ResidualCertificate.require(residual, q.maxResidual(), solution.worstPivot().orElse(null), RiccatiSolver.SINGULAR_HINT);
        return new Result(loss, gradient, rhs, solution, residual, n, bc, layerRanges, timings);
    }

    /** Groups one layer range's (layer, (index, record)) pairs by layer, orders by example index, sums S in that order. */
    private static Iterator<LayerBatch> layerBatchesOf(Iterator<Tuple2<Integer, Tuple2<Long, StageRecord>>> it, Network net, double[] x) {
        Map<Integer, List<Tuple2<Long, StageRecord>>> byLayer = new java.util.TreeMap<>();
        while (it.hasNext()) {
            Tuple2<Integer, Tuple2<Long, StageRecord>> t = it.next();
            byLayer.computeIfAbsent(t._1(), k -> new ArrayList<>()).add(t._2());
        }
        List<LayerBatch> out = new ArrayList<>(byLayer.size());
        for (Map.Entry<Integer, List<Tuple2<Long, StageRecord>>> e : byLayer.entrySet()) {
            List<Tuple2<Long, StageRecord>> list = e.getValue();
            list.sort(Comparator.comparingLong(Tuple2::_1));
            List<StageRecord> records = new ArrayList<>(list.size());
            for (Tuple2<Long, StageRecord> r : list) records.add(r._2());
            out.add(new LayerBatch(e.getKey(), records, LayerStage.sumS(net, x, e.getKey(), records)));
        }
        return out.iterator();
    }

    /** ||cd + delta d - r|| / ||r||. */
    static double relativeResidual(double[] cd, double[] d, double delta, double[] r) {
        double num = 0, den = 0;
        for (int i = 0; i < r.length; i++) {
            double e = cd[i] + delta * d[i] - r[i];
            num += e * e;
            den += r[i] * r[i];
        }
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
    }

    private static double seconds(long start) { return (System.nanoTime() - start) / 1e9; }
}
