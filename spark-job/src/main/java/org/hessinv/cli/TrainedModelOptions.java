package org.hessinv.cli;

import org.hessinv.model.Network;
import org.hessinv.model.Standardization;
import picocli.CommandLine.Option;

/** The options of the commands that use a trained network (predict, influence, evidence): a picocli mixin. */
final class TrainedModelOptions {
    @Option(names = "--model", required = true, paramLabel = "M.json", description = "Model spec (a train run's model.json).")
    String model;
    @Option(names = "--params", required = true, paramLabel = "P.npy", description = "Trained parameters (a train run's params.npy).")
    String params;
    @Option(names = "--format", paramLabel = "csv|parquet|libsvm", description = "Data format (default: from each file's extension).")
    String format;
    @Option(names = "--standardization", paramLabel = "S.json", description = "Feature standardization (default: standardization.json next to --params).")
    String standardization;
    @Option(names = "--no-standardization", description = "Use the features as they are.")
    boolean noStandardization;

    Network network() { return TrainedModel.network(model); }

    /** The parameters, checked against the network. */
    double[] parameters(Network net) { return TrainedModel.params(net, params); }

    Standardization standardization(Network net) { return TrainedModel.standardization(net, params, standardization, noStandardization); }
}
