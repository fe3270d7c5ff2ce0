package org.hessinv.cli;

/**
 * Everything a training run was started with, as written to {@code run.json}: a resumed run reads it back,
 * so it continues with the same data, model, optimizer and partitioning (only the stopping rules may be
 * changed on resume). {@code data} "built-in" is the shipped digits set; {@code validation} is a path, or
 * empty with {@code validationFraction} > 0 for a held-out fraction, or neither. {@code lbfgsMemory}, {@code learningRate}
 * (Adam's, resolved before the run starts: given or picked by {@link org.hessinv.train.Adam#pickLearningRate}), {@code batchSize}
 * (Adam's minibatch, 0 for full batch) and {@code cgMax} (Hessian-free) are read only by their optimizer.
 */
public record TrainSettings(String model, String data, String format, String validation, double validationFraction,
                            boolean standardize, String optimizer, String curvature, String solver, long curvatureBatch, int resampleEvery,
                            int steps, double timeLimit, double targetLoss, double gradientTolerance, int checkpointEvery,
                            int partitions, long seed, double damping, double radius, String params, long initSeed,
                            int lbfgsMemory, double learningRate, int batchSize, int cgMax) {
    /** The same settings with other stopping rules. */
    TrainSettings withStopping(int steps, double timeLimit, double targetLoss, double gradientTolerance) {
        return new TrainSettings(model, data, format, validation, validationFraction, standardize, optimizer, curvature, solver,
                curvatureBatch, resampleEvery, steps, timeLimit, targetLoss, gradientTolerance, checkpointEvery, partitions, seed,
                damping, radius, params, initSeed, lbfgsMemory, learningRate, batchSize, cgMax);
    }

    /** The same settings with Adam's learning rate resolved (given, or picked by the grid). */
    TrainSettings withLearningRate(double rate) {
        return new TrainSettings(model, data, format, validation, validationFraction, standardize, optimizer, curvature, solver,
                curvatureBatch, resampleEvery, steps, timeLimit, targetLoss, gradientTolerance, checkpointEvery, partitions, seed,
                damping, radius, params, initSeed, lbfgsMemory, rate, batchSize, cgMax);
    }

    /** The curvature an optimizer uses by default: the Hessian for the trust region, the GGN otherwise. */
    static String defaultCurvature(String optimizer) { return optimizer.equals("trust-region") ? "hessian" : "ggn"; }

    /** The same settings with the partition count resolved. */
    TrainSettings withPartitions(int p) {
        return new TrainSettings(model, data, format, validation, validationFraction, standardize, optimizer, curvature, solver,
                curvatureBatch, resampleEvery, steps, timeLimit, targetLoss, gradientTolerance, checkpointEvery, p, seed,
                damping, radius, params, initSeed, lbfgsMemory, learningRate, batchSize, cgMax);
    }

    boolean builtIn() { return "built-in".equals(data); }
}
