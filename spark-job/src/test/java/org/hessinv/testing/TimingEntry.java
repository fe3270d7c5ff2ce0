package org.hessinv.testing;

import picocli.CommandLine;

/** How the timing entries in the test sources run their picocli command: a bad option is one line {@code error: ...; see --help}, exit 2. */
public final class TimingEntry {
    private TimingEntry() {}

    /** Runs {@code command} on {@code args} and exits the JVM with its exit code. */
    public static void main(Object command, String[] args) {
        CommandLine cl = new CommandLine(command);
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("error: " + ex.getMessage() + "; see --help");
            return 2;
        });
        System.exit(cl.execute(args));
    }
}
