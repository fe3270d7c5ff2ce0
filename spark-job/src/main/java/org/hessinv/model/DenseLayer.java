package org.hessinv.model;

/** dense(units, s): {@code z_l = s(W z + c)}, W (units x inputs) and c trainable. */
public final class DenseLayer extends HiddenLayer {
    private static final long serialVersionUID = 1L;

    public DenseLayer(int inputs, int units, Activation activation) { super(new FullAffine(inputs, units), activation); }

    @Override public String describe() { return "dense(" + units() + ", " + activation().specName() + ")"; }
}
