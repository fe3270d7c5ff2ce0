package org.hessinv.model;

/** square(units, s, gain): {@code z_l = s(x * (W z))}, W frozen (units x inputs, row-major), the gain x trainable. */
public final class SquareGainLayer extends HiddenLayer {
    private static final long serialVersionUID = 1L;

    public SquareGainLayer(int inputs, int units, Activation activation, double[] frozenWeights) {
        super(new GainAffine(inputs, units, frozenWeights), activation);
    }

    @Override public String describe() { return "square(" + units() + ", " + activation().specName() + ", gain)"; }
}
