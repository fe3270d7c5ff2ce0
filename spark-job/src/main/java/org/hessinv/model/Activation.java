package org.hessinv.model;

import org.apache.commons.math3.special.Erf;

/** Elementwise activation s(u) with its first two derivatives, as used by the layers' blocks and R-pass. */
public enum Activation {
    /** s(u) = u. */
    IDENTITY {
        public double value(double u) { return u; }
        public double d1(double u) { return 1.0; }
        public double d2(double u) { return 0.0; }
    },
    /** s(u) = tanh(u); s' = 1 - s^2; s'' = -2 s s'. */
    TANH {
        public double value(double u) { return Math.tanh(u); }
        public double d1(double u) { double t = Math.tanh(u); return 1.0 - t * t; }
        public double d2(double u) { double t = Math.tanh(u); return -2.0 * t * (1.0 - t * t); }
        @Override public double d1FromValue(double u, double s) { return 1.0 - s * s; }
    },
    /** s(u) = 1 / (1 + e^-u); s' = s(1 - s); s'' = s'(1 - 2s). */
    SIGMOID {
        public double value(double u) { return sigmoid(u); }
        public double d1(double u) { double s = sigmoid(u); return s * (1.0 - s); }
        public double d2(double u) { double s = sigmoid(u); return s * (1.0 - s) * (1.0 - 2.0 * s); }
        @Override public double d1FromValue(double u, double s) { return s * (1.0 - s); }
    },
    /** s(u) = log(1 + e^u); s' = sigmoid(u); s'' = sigmoid'(u). */
    SOFTPLUS {
        public double value(double u) { return u > 0 ? u + Math.log1p(Math.exp(-u)) : Math.log1p(Math.exp(u)); }
        public double d1(double u) { return sigmoid(u); }
        public double d2(double u) { double s = sigmoid(u); return s * (1.0 - s); }
    },
    /** Exact GELU s(u) = u Phi(u); s' = Phi(u) + u phi(u); s'' = (2 - u^2) phi(u). */
    GELU {
        public double value(double u) { return u * normalCdf(u); }
        public double d1(double u) { return normalCdf(u) + u * normalPdf(u); }
        public double d2(double u) { return (2.0 - u * u) * normalPdf(u); }
    },
    /** s(u) = u sigmoid(u); s' = sg + u sg(1 - sg); s'' = sg(1 - sg)(2 + u(1 - 2 sg)). */
    SILU {
        public double value(double u) { return u * sigmoid(u); }
        public double d1(double u) { double s = sigmoid(u); return s + u * s * (1.0 - s); }
        public double d2(double u) { double s = sigmoid(u); return s * (1.0 - s) * (2.0 + u * (1.0 - 2.0 * s)); }
    };

    private static final double INV_SQRT_2 = 1.0 / Math.sqrt(2.0);
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);

    public abstract double value(double u);

    public abstract double d1(double u);

    public abstract double d2(double u);

    /**
     * s'(u) given s = value(u) (the blocked sweep keeps the values): bit-identical to {@link #d1(double)}, but
     * tanh and sigmoid reuse s instead of evaluating the function again.
     */
    public double d1FromValue(double u, double s) { return d1(u); }

    /** The spec name, e.g. "tanh". */
    public String specName() { return name().toLowerCase(java.util.Locale.ROOT); }

    public static Activation fromSpec(String name) {
        for (Activation a : values()) {
            if (a.specName().equals(name)) return a;
        }
        throw new InvalidInputException("unknown activation \"" + name
                + "\"; use one of identity, tanh, sigmoid, softplus, gelu, silu");
    }

    static double sigmoid(double u) {
        if (u >= 0) return 1.0 / (1.0 + Math.exp(-u));
        double e = Math.exp(u);
        return e / (1.0 + e);
    }

    /** Phi(u) = (1 + erf(u / sqrt 2)) / 2, with erfc on the left tail to keep relative accuracy. */
    static double normalCdf(double u) {
        return u < 0 ? 0.5 * Erf.erfc(-u * INV_SQRT_2) : 0.5 * (1.0 + Erf.erf(u * INV_SQRT_2));
    }

    static double normalPdf(double u) { return INV_SQRT_2PI * Math.exp(-0.5 * u * u); }
}
