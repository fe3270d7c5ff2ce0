package org.hessinv.bench;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * How the benchmark entry points run their picocli commands: a bad option or value is one line
 * {@code NAME: error: MESSAGE (see --help)} on stderr and exit code 2; {@code --help} prints the usage, exit 0.
 */
final class BenchCli {
    static final int USAGE = 2;

    private BenchCli() {}

    /** A command line for {@code command} whose parameter errors are reported in one line as {@code name: error: ...}. */
    static CommandLine commandLine(String name, Object command) {
        CommandLine cl = new CommandLine(command);
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println(name + ": error: " + oneLine(ex.getMessage()) + " (see --help)");
            err.flush();
            return USAGE;
        });
        return cl;
    }

    /** Runs the command and exits the JVM with its exit code. */
    static void main(String name, Object command, String[] args) {
        System.exit(commandLine(name, command).execute(args));
    }

    /** A command's check of its parsed options: fails like a parse error (one line, exit 2) unless {@code ok}. */
    static void require(CommandLine.Model.CommandSpec spec, boolean ok, String message) {
        if (!ok) throw new CommandLine.ParameterException(spec.commandLine(), message);
    }

    private static String oneLine(String s) {
        return s == null ? "bad arguments" : s.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
