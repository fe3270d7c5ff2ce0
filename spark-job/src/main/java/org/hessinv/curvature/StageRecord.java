package org.hessinv.curvature;

import java.io.Serializable;

/**
 * One example's contribution to one stage, in factored form: with {@code Ju dx = dW z + dc},
 * {@code A = J W (+ I for residual)}, {@code B = J Ju}, {@code P = W^T Lambda W},
 * {@code R = W^T Lambda Ju + X(cross)}, {@code S = Ju^T Lambda Ju}, where {@code X(g) dx = dW^T g}.
 *
 * @param z      z_{l-1}, the stage input
 * @param jac    J: for a hidden layer the diagonal ds/du; for the head the row dloss/du
 * @param lambda Lambda = d2(lambda f)/du2: a diagonal (hidden) or dense units x units (head); null when zero
 * @param lambdaDense whether lambda is dense
 * @param cross  g = d(lambda f)/du, the coefficient of the mixed dW dz term; null when dropped (GGN)
 */
public record StageRecord(double[] z, double[] jac, double[] lambda, boolean lambdaDense, double[] cross)
        implements Serializable {
}
