package org.hessinv.model;

/** Bad user input (spec, parameters, data): the message names the problem and the fix, on one line. */
public class InvalidInputException extends RuntimeException {
    public InvalidInputException(String message) { super(message); }

    public InvalidInputException(String message, Throwable cause) { super(message, cause); }
}
