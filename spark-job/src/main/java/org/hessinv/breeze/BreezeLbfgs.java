package org.hessinv.breeze;

import breeze.linalg.DenseVector;
import breeze.optimize.DiffFunction;
import breeze.optimize.FirstOrderMinimizer;
import breeze.optimize.LBFGS;
import breeze.optimize.StrongWolfeLineSearch;
import java.util.ArrayList;
import java.util.List;
import org.hessinv.train.LineSearch;
import scala.Tuple2;
import scala.collection.Iterator;
import scala.reflect.ClassTag$;

/**
 * The one place that touches Breeze (breeze 2.1, on the classpath through spark-mllib): its L-BFGS minimizer
 * and its strong Wolfe line search, with Breeze's implicit arguments (the vector space of
 * {@code DenseVector[Double]}) passed explicitly and no Scala type in the signatures. Functions from Java are
 * lambdas implementing {@code DiffFunction} (a class cannot extend that trait from Java).
 *
 * <p>Training uses {@link #strongWolfe()} inside {@link org.hessinv.train.Lbfgs}, which keeps the L-BFGS memory
 * itself so that checkpoints can hold it; {@link #minimize} runs Breeze's own {@code LBFGS.iterations}, the
 * reference the engine's step-by-step L-BFGS is tested against.
 */
public final class BreezeLbfgs {
    private BreezeLbfgs() {}

    /** F(x) and its gradient. */
    public record ValueGradient(double value, double[] gradient) {}

    /** A differentiable function of a double vector. */
    @FunctionalInterface
    public interface Function {
        ValueGradient at(double[] x);
    }

    /** Where Breeze's L-BFGS stopped: x, F(x), |gradient|, the iterates x_0, x_1, ... and Breeze's convergence reason. */
    public record Minimum(double[] x, double value, double gradientNorm, List<double[]> iterates, String reason) {
        public int iterations() { return iterates.size() - 1; }
    }

    /** Breeze's {@code new LBFGS(maxIterations, memory, tolerance).iterations(f, x0)}, run to its end. */
    public static Minimum minimize(Function f, double[] x0, int memory, int maxIterations, double tolerance) {
        LBFGS<DenseVector<Object>> lbfgs = new LBFGS<>(maxIterations, memory, tolerance, DenseVector.space_Double());
        DiffFunction<DenseVector<Object>> df = v -> {
            ValueGradient vg = f.at(array(v));
            return new Tuple2<>(vg.value(), vector(vg.gradient()));
        };
        Iterator<FirstOrderMinimizer.State<DenseVector<Object>, Object, Object>> it = lbfgs.iterations(df, vector(x0.clone()));
        List<double[]> xs = new ArrayList<>();
        FirstOrderMinimizer.State<DenseVector<Object>, Object, Object> last = null;
        while (it.hasNext()) {
            last = it.next();
            xs.add(array(last.x()));
        }
        String reason = last.convergenceReason().isDefined() ? last.convergenceReason().get().reason() : "iterator ended";
        double[] g = array(last.grad());
        double gn = 0;
        for (double v : g) gn += v * v;
        return new Minimum(array(last.x()), last.value(), Math.sqrt(gn), xs, reason);
    }

    /**
     * Breeze's {@code StrongWolfeLineSearch(maxZoomIter = 10, maxLineSearchIter = 10)} (c1 1e-4, c2 0.9), the search
     * Breeze's LBFGS runs each iteration; its failures come back as {@link LineSearch.Failed}.
     */
    public static LineSearch strongWolfe() {
        return (phi, initialStep) -> {
            StrongWolfeLineSearch search = new StrongWolfeLineSearch(10, 10);
            DiffFunction<Object> line = a -> {
                double[] vs = phi.valueAndSlope((Double) a);
                return new Tuple2<>(vs[0], vs[1]);
            };
            try {
                return search.minimize(line, initialStep);
            } catch (RuntimeException e) {
                throw new LineSearch.Failed("strong Wolfe line search failed: " + e.getMessage(), e);
            }
        };
    }

    private static DenseVector<Object> vector(double[] a) { return new breeze.linalg.DenseVector$mcD$sp(a); }

    private static double[] array(DenseVector<Object> v) { return v.toArray$mcD$sp(ClassTag$.MODULE$.Double()); }
}
