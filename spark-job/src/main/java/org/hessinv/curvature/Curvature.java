package org.hessinv.curvature;

import org.hessinv.model.InvalidInputException;

/** Which curvature matrix C the solve uses. */
public enum Curvature {
    /** The Hessian H of the batch loss (may be indefinite). */
    HESSIAN,
    /** The generalized Gauss-Newton matrix G = sum_i w_i J_i^T Lambda_i J_i (positive semidefinite). */
    GGN;

    public String specName() { return name().toLowerCase(java.util.Locale.ROOT); }

    public static Curvature fromSpec(String s) {
        return switch (s) {
            case "hessian" -> HESSIAN;
            case "ggn" -> GGN;
            default -> throw new InvalidInputException("unknown curvature \"" + s + "\"; use hessian or ggn");
        };
    }
}
