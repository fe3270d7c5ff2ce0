package org.hessinv.solve;

import org.hessinv.model.InvalidInputException;

/**
 * The paper's section 6 (Woodbury) route does not apply to this problem: a square-Jacobian, invertibility
 * or batch-size precondition failed. Bad input for the job (exit code 2); the message names the failed
 * precondition and points to the default solver.
 */
public class WoodburyPreconditionException extends InvalidInputException {
    private final String precondition;

    public WoodburyPreconditionException(String precondition, String detail) {
        super("the woodbury solver (the paper's section 6 route) needs " + precondition + ", but " + detail
                + "; use the default solver (--solver riccati), which has no such precondition");
        this.precondition = precondition;
    }

    /** The failed precondition, e.g. "every parameter Jacobian B_l square". */
    public String precondition() { return precondition; }
}
