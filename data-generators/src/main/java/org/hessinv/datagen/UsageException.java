package org.hessinv.datagen;

/** A bad command line: the message is one line telling what to change. */
public final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) { super(message); }
}
