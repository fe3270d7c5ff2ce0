package org.hessinv.model;

/** square(units, s, bias): {@code z_l = s(W z + x)}, W frozen (units x inputs, row-major), the bias x trainable. */
public final class SquareBiasLayer extends HiddenLayer {
    private static final long serialVersionUID = 1L;

    public SquareBiasLayer(int inputs, int units, Activation activation, double[] frozenWeights) {
        super(new BiasAffine(inputs, units, frozenWeights), activation);
    }

    @Override public String describe() { return "square(" + units() + ", " + activation().specName() + ", bias)"; }
}
