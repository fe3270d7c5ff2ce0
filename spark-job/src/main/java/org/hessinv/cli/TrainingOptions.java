package org.hessinv.cli;

import org.hessinv.model.InvalidInputException;
import picocli.CommandLine.Option;

/**
 * The options of a training run that {@code train} and {@code train-compare} share (a picocli mixin): the model
 * and its start, the data and its validation, the curvature and the exact route, the stopping rules other than
 * the step and time limits (whose defaults differ), and each optimizer's settings. The commands add what is theirs
 * (the optimizer or optimizers, --steps, --time-limit, --out).
 */
final class TrainingOptions {
    @Option(names = "--model", paramLabel = "M.json", description = "JSON model spec (conf/models/*.json).")
    String model;
    @Option(names = "--params", paramLabel = "P.npy", description = "Starting parameters (float64 .npy); else --init-seed.")
    String params;
    @Option(names = "--init-seed", paramLabel = "N", description = "Seed of the initializer (default ${DEFAULT-VALUE}).", defaultValue = "0")
    long initSeed;
    @Option(names = "--data", paramLabel = "PATH", description = "Training examples (CSV, Parquet or LibSVM).")
    String data;
    @Option(names = "--format", paramLabel = "csv|parquet|libsvm", description = "Data format (default: from the extension).")
    String format;
    @Option(names = "--validation", paramLabel = "PATH", description = "Validation examples (same format).")
    String validation;
    @Option(names = "--validation-fraction", paramLabel = "F", description = "Hold out a seeded fraction F in (0, 1) of the data "
            + "(default: 0.2 for the built-in digits, none otherwise).")
    Double validationFraction;
    @Option(names = "--standardize", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Standardize features with the training set's mean and standard deviation (default: on).")
    boolean standardize;
    @Option(names = "--curvature", paramLabel = "ggn|hessian", description = "Curvature of the optimizers that use one "
            + "(default: hessian for trust-region, ggn otherwise: lm, hf).")
    String curvature;
    @Option(names = "--solver", paramLabel = "auto|riccati|output-space", defaultValue = "auto",
            description = "Exact route: the Riccati sweep, the GGN in output space, or the cheaper by their cost models (default ${DEFAULT-VALUE}).")
    String solver;
    @Option(names = "--curvature-batch", paramLabel = "all|N", defaultValue = "256",
            description = "Examples in the curvature batch (seeded draw; default ${DEFAULT-VALUE}, or all when there are fewer);"
                    + " the loss and gradient use all.")
    String curvatureBatch;
    @Option(names = "--resample-every", paramLabel = "K", defaultValue = "0",
            description = "Draw a new curvature batch every K steps (0: keep one batch; default ${DEFAULT-VALUE}).")
    int resampleEvery;
    @Option(names = "--target-loss", paramLabel = "L", description = "Stop when the training loss is <= L (default: none).")
    Double targetLoss;
    @Option(names = "--gradient-tolerance", paramLabel = "G", description = "Stop when ||gradient|| <= G (default ${DEFAULT-VALUE}).",
            defaultValue = "1e-10")
    double gradientTolerance;
    @Option(names = "--checkpoint-every", paramLabel = "K", defaultValue = "10", description = "Checkpoint every K steps (0: never; default ${DEFAULT-VALUE}).")
    int checkpointEvery;
    @Option(names = "--damping", paramLabel = "LAMBDA", defaultValue = "1", description = "Initial Levenberg-Marquardt damping (default ${DEFAULT-VALUE}).")
    double damping;
    @Option(names = "--radius", paramLabel = "DELTA", defaultValue = "1", description = "Initial trust-region radius (default ${DEFAULT-VALUE}).")
    double radius;
    @Option(names = "--lbfgs-memory", paramLabel = "M", defaultValue = "10", description = "L-BFGS pairs kept (default ${DEFAULT-VALUE}).")
    int lbfgsMemory;
    @Option(names = "--learning-rate", paramLabel = "ALPHA", description = "Adam's learning rate (default: the best of 1e-3..1e-1 "
            + "after " + TrainJob.GRID_STEPS + " steps each, the grid's time counted in the run's).")
    Double learningRate;
    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "0", description = "Adam's minibatch (seeded by the step; 0: full batch; default ${DEFAULT-VALUE}).")
    int batchSize;
    @Option(names = "--cg-max", paramLabel = "N", defaultValue = "250", description = "Hessian-free: CG iterations per step at most (default ${DEFAULT-VALUE}).")
    int cgMax;
    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed of the curvature batch and validation split (default ${DEFAULT-VALUE}).")
    long seed;

    /** True for the built-in digits run (neither --model nor --data); refuses one without the other. */
    boolean builtIn() {
        boolean builtIn = model == null && data == null;
        if (!builtIn && (model == null || data == null)) throw new InvalidInputException("give both --model and --data (or neither, for the built-in digits run)");
        return builtIn;
    }

    /**
     * The settings of one run with {@code optimizer} (its default curvature unless --curvature), {@code steps} and
     * {@code timeLimit} (infinite for none) and {@code partitions} (0: Spark's default parallelism).
     */
    TrainSettings settings(String optimizer, int steps, double timeLimit, int partitions) {
        boolean builtIn = builtIn();
        if (validation != null && validationFraction != null) throw new InvalidInputException("give --validation or --validation-fraction, not both");
        double fraction = validationFraction != null ? validationFraction : builtIn && validation == null ? DigitsProblem.VALIDATION_FRACTION : 0;
        return new TrainSettings(builtIn ? "built-in digits" : TrainJob.abs(model), builtIn ? "built-in" : TrainJob.abs(data), format,
                validation == null ? null : TrainJob.abs(validation), fraction, standardize, optimizer,
                curvature != null ? curvature : TrainSettings.defaultCurvature(optimizer), solver, Commands.curvatureBatch(curvatureBatch),
                resampleEvery, steps, timeLimit, targetLoss == null ? Double.NEGATIVE_INFINITY : targetLoss, gradientTolerance,
                checkpointEvery, partitions, seed, damping, radius, params == null ? null : TrainJob.abs(params), initSeed, lbfgsMemory,
                learningRate == null ? Double.NaN : learningRate, batchSize, cgMax);
    }
}
