package org.hessinv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.hessinv.model.InvalidInputException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** train and train-compare declare the shared training options once (TrainingOptions): same names, defaults and help in both. */
class TrainingOptionsTest {
    private static final List<String> SHARED = List.of("--model", "--params", "--init-seed", "--data", "--format", "--validation",
            "--validation-fraction", "--standardize", "--curvature", "--solver", "--curvature-batch", "--resample-every", "--target-loss",
            "--gradient-tolerance", "--checkpoint-every", "--damping", "--radius", "--lbfgs-memory", "--learning-rate", "--batch-size",
            "--cg-max", "--seed");

    private static String help(Object command) {
        StringWriter w = new StringWriter();
        new CommandLine(command).usage(new PrintWriter(w));
        return w.toString();
    }

    @Test
    void bothCommandsHaveEverySharedOptionWithTheSameDefaultAndHelp() {
        CommandLine train = new CommandLine(new TrainJob());
        CommandLine compare = new CommandLine(new CompareJob());
        List<String> mixin = new CommandLine(new TrainingOptions()).getCommandSpec().options().stream().map(OptionSpec::longestName).toList();
        assertEquals(SHARED.stream().sorted().toList(), mixin.stream().sorted().toList(), "the mixin's options");
        for (String name : SHARED) {
            OptionSpec t = train.getCommandSpec().findOption(name);
            OptionSpec c = compare.getCommandSpec().findOption(name);
            assertNotNull(t, "train " + name);
            assertNotNull(c, "train-compare " + name);
            assertEquals(t.defaultValue(), c.defaultValue(), name);
            assertArrayEquals(t.description(), c.description(), name);
            assertEquals(t.paramLabel(), c.paramLabel(), name);
        }
        String trainHelp = help(new TrainJob()), compareHelp = help(new CompareJob());
        for (String name : SHARED) {
            String shown = name.equals("--standardize") ? "--[no-]standardize" : name;
            assertTrue(trainHelp.contains(shown), "train --help lacks " + shown);
            assertTrue(compareHelp.contains(shown), "train-compare --help lacks " + shown);
        }
        for (String own : List.of("--optimizer=", "--steps", "--time-limit", "--out", "--resume", "--overwrite", "--master", "--partitions")) {
            assertTrue(trainHelp.contains(own), "train --help lacks " + own);
        }
        for (String own : List.of("--optimizers", "--steps", "--time-limit", "--reach", "--out", "--overwrite", "--master", "--partitions")) {
            assertTrue(compareHelp.contains(own), "train-compare --help lacks " + own);
        }
    }

    /** The same shared options give the same settings in both commands (only the optimizer, steps and time limit are the command's). */
    @Test
    void theSharedOptionsGiveTheSameSettings() {
        String[] args = {"--model", "m.json", "--data", "d.csv", "--damping", "0.5", "--radius", "2", "--curvature-batch", "all",
            "--learning-rate", "0.01", "--cg-max", "40", "--seed", "7", "--validation-fraction", "0.25", "--no-standardize"};
        TrainJob t = new TrainJob();
        new CommandLine(t).parseArgs(args);
        CompareJob c = new CompareJob();
        new CommandLine(c).parseArgs(args);
        TrainSettings fromTrain = t.training.settings("hf", 5, 60, 3);
        TrainSettings fromCompare = c.training.settings("hf", 5, 60, 3);
        assertEquals(fromTrain, fromCompare);
        assertEquals(0.5, fromTrain.damping());
        assertEquals(2, fromTrain.radius());
        assertEquals(0, fromTrain.curvatureBatch());
        assertEquals(0.01, fromTrain.learningRate());
        assertEquals(40, fromTrain.cgMax());
        assertEquals(0.25, fromTrain.validationFraction());
        assertEquals("ggn", fromTrain.curvature());
        assertEquals("hessian", c.training.settings("trust-region", 5, 60, 3).curvature());
        assertTrue(!fromTrain.standardize());
    }

    @Test
    void theSharedChecksRefuseInBothCommands() {
        for (Object command : new Object[] {new TrainJob(), new CompareJob()}) {
            CommandLine cl = new CommandLine(command);
            cl.parseArgs("--model", "m.json");
            TrainingOptions o = command instanceof TrainJob tj ? tj.training : ((CompareJob) command).training;
            assertTrue(assertThrows(InvalidInputException.class, o::builtIn).getMessage().contains("give both --model and --data"));
            cl.parseArgs("--validation", "v.csv", "--validation-fraction", "0.1");
            assertTrue(assertThrows(InvalidInputException.class, () -> o.settings("lm", 1, 1, 0)).getMessage().contains("not both"));
        }
    }
}
