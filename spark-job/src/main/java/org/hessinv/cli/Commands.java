package org.hessinv.cli;

import java.io.PrintWriter;
import java.util.Optional;
import org.hessinv.solve.SingularStageException;
import org.hessinv.model.InvalidInputException;
import picocli.CommandLine;

/**
 * Runs a picocli command with the project's conventions: a bad option or a failure caused by bad input prints
 * one line {@code error: ...} and exits 2, a singular system exits 3 (both from the exception's type anywhere in
 * the cause chain, see {@link UserError}), anything else prints its trace and exits 1. Spark's log of a task failed
 * by bad input is dropped unless {@code --verbose} is given (then the trace is printed too).
 */
final class Commands {
    private Commands() {}

    static int execute(Object command, String... args) {
        boolean verbose = java.util.Arrays.asList(args).contains(NewtonDirectionJob.VERBOSE);
        if (!verbose) org.hessinv.spark.UserErrorLogFilter.install();
        CommandLine cmd = new CommandLine(command);
        cmd.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("error: " + ex.getMessage() + "; see --help");
            return NewtonDirectionJob.EXIT_BAD_INPUT;
        });
        cmd.setExecutionExceptionHandler((ex, c, parsed) -> {
            Optional<UserError> user = UserError.of(ex);
            PrintWriter err = c.getErr();
            if (user.isEmpty()) {
                err.println("error: unexpected failure: " + ex);
                ex.printStackTrace(err);
                err.flush();
                return NewtonDirectionJob.EXIT_FAILURE;
            }
            UserError e = user.get();
            if (verbose) ex.printStackTrace(err);
            err.println("error: " + e.message());
            err.flush();
            return e.exitCode();
        });
        cmd.setErr(new PrintWriter(System.err, true));
        cmd.setOut(new PrintWriter(System.out, true));
        return cmd.execute(args);
    }

    /**
     * A failure the user can act on, by the type of the first such exception in the cause chain (a task failed on an
     * executor arrives as the cause of Spark's SparkException): bad input (exit 2) or a singular system (exit 3).
     */
    record UserError(String message, int exitCode) {
        /** The user error {@code t} is caused by; empty for an unexpected failure. */
        static Optional<UserError> of(Throwable t) {
            for (Throwable c = t; c != null; c = c.getCause()) {
                if (c instanceof InvalidInputException) return Optional.of(new UserError(c.getMessage(), NewtonDirectionJob.EXIT_BAD_INPUT));
                if (c instanceof SingularStageException) return Optional.of(new UserError(c.getMessage(), NewtonDirectionJob.EXIT_SINGULAR));
            }
            return Optional.empty();
        }
    }

    /** "all" -> 0 (every example), else a positive count. */
    static long curvatureBatch(String s) {
        if (s.equals("all")) return 0;
        try {
            long v = Long.parseLong(s);
            if (v > 0) return v;
        } catch (NumberFormatException e) {
            // below
        }
        throw new InvalidInputException("--curvature-batch must be \"all\" or a positive integer, got \"" + s + "\"");
    }
}
