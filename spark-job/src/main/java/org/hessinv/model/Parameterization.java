package org.hessinv.model;

/**
 * Which part of a stage's affine map {@code u = W z + c} is trainable.
 * {@link #FULL}: W and c (the dense, residual and ordinary head stages). The two square
 * parameterizations keep W frozen (stored in the model spec) and train a vector of the size of the
 * output, so the parameter Jacobian {@code df/dx} is square (the paper's section 6 route needs that):
 * {@link #GAIN}: {@code u = x * (W z)} elementwise, no bias; {@link #BIAS}: {@code u = W z + x}.
 */
public enum Parameterization {
    FULL, GAIN, BIAS;

    /** The spec name: "gain" or "bias" ("full" for the ordinary stages, never written in a spec). */
    public String specName() { return name().toLowerCase(java.util.Locale.ROOT); }

    /** "gain" or "bias" as written in the spec's "parameter" field. */
    public static Parameterization fromSpec(String s, String where) {
        return switch (s) {
            case "gain" -> GAIN;
            case "bias" -> BIAS;
            default -> throw new InvalidInputException(where + ": unknown \"parameter\" \"" + s + "\"; use \"gain\" (u = x * (W z)) or \"bias\" (u = W z + x)");
        };
    }
}
