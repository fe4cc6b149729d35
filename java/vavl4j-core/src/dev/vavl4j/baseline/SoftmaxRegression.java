package dev.vavl4j.baseline;

/**
 * Multinomial logistic regression: logits z = W·x + b for K classes, fitted by minimising
 * <pre>  (1/n) Σᵢ [logsumexp(zᵢ) − zᵢ,yᵢ] + (λ/2)·‖W‖²  </pre>
 * with {@link Lbfgs} (the bias b is not regularised). The objective is strictly convex in W for λ &gt; 0,
 * so the minimiser is unique and a warm start changes only how fast it is reached.
 * Parameters are packed {@code [W (K×d, row-major), b (K)]}.
 */
final class SoftmaxRegression {
    /** Stop when no gradient entry exceeds this: far below any difference the dev metrics can show. */
    static final double GRADIENT_TOLERANCE = 1e-7;
    static final int MAX_ITERATIONS = 5000;

    private SoftmaxRegression() {}

    /** A fitted model: {@code weights} [classes, features] row-major, {@code bias} [classes]. */
    record Model(double[] weights, double[] bias, int classes, int features, Lbfgs.Result fit) {
        /** Logits [rows, classes] row-major. */
        double[] logits(DesignMatrix x) {
            return SoftmaxRegression.logits(x, packed(), classes);
        }

        /** The first argmax of each row's logits (as VAVL's evaluation takes the first maximum). */
        int[] predict(DesignMatrix x) {
            double[] z = logits(x);
            int[] out = new int[x.rows()];
            for (int i = 0; i < out.length; i++) {
                int best = 0;
                for (int k = 1; k < classes; k++) if (z[i * classes + k] > z[i * classes + best]) best = k;
                out[i] = best;
            }
            return out;
        }

        /** Mean cross-entropy over {@code x} with labels {@code y} (no regularisation term). */
        double crossEntropy(DesignMatrix x, int[] y) {
            return new Objective(x, y, classes, 0).valueAndGradient(packed(), null);
        }

        double[] packed() {
            double[] p = java.util.Arrays.copyOf(weights, weights.length + classes);
            System.arraycopy(bias, 0, p, weights.length, classes);
            return p;
        }
    }

    /** Fits on {@code x} (rows ≥ 1) and classes {@code y} in [0, classes), from {@code start} (packed) or {@link #priorStart} when null. */
    static Model fit(DesignMatrix x, int[] y, int classes, double lambda, double[] start) {
        if (x.rows() == 0) throw new IllegalArgumentException("no rows to fit");
        if (y.length != x.rows()) throw new IllegalArgumentException(y.length + " labels for " + x.rows() + " rows");
        int d = x.cols();
        double[] theta0 = start != null ? start : priorStart(y, classes, d);
        Lbfgs.Result r = Lbfgs.minimize(new Objective(x, y, classes, lambda), theta0, GRADIENT_TOLERANCE, MAX_ITERATIONS);
        double[] w = java.util.Arrays.copyOf(r.x(), classes * d);
        double[] b = java.util.Arrays.copyOfRange(r.x(), classes * d, classes * d + classes);
        return new Model(w, b, classes, d, r);
    }

    /**
     * W = 0 and b = the log of the (add-one smoothed) class frequencies: the optimum among models that ignore
     * x. Starting there matters for large λ, where W is stiff and b is not: from b = 0 the badly scaled
     * problem needs many more iterations.
     */
    static double[] priorStart(int[] y, int classes, int d) {
        double[] theta = new double[classes * d + classes];
        double[] count = new double[classes];
        for (int c : y) count[c]++;
        for (int k = 0; k < classes; k++) theta[classes * d + k] = Math.log((count[k] + 1) / (y.length + classes));
        return theta;
    }

    static double[] logits(DesignMatrix x, double[] theta, int classes) {
        int d = x.cols();
        double[] z = new double[x.rows() * classes];
        x.forEachChunk(c -> {
            for (int i = x.chunkStart(c); i < x.chunkEnd(c); i++) {
                for (int k = 0; k < classes; k++) z[i * classes + k] = theta[classes * d + k] + x.dotRow(i, theta, k * d);
            }
        });
        return z;
    }

    /** The regularised mean cross-entropy and its gradient (package-private so the tests can check it by finite differences). */
    static final class Objective implements Lbfgs.Objective {
        private final DesignMatrix x;
        private final int[] y;
        private final int classes;
        private final double lambda;

        Objective(DesignMatrix x, int[] y, int classes, double lambda) {
            for (int i = 0; i < y.length; i++) {
                if (y[i] < 0 || y[i] >= classes) throw new IllegalArgumentException("label " + y[i] + " at row " + i + " is outside [0, " + classes + ")");
            }
            this.x = x;
            this.y = y;
            this.classes = classes;
            this.lambda = lambda;
        }

        /** {@code gradient} may be null when only the value is wanted. */
        @Override
        public double valueAndGradient(double[] theta, double[] gradient) {
            int d = x.cols(), K = classes, n = x.rows(), size = K * d + K;
            int chunks = x.chunks();
            double[] chunkLoss = new double[chunks];
            double[][] chunkGrad = new double[chunks][];
            x.forEachChunk(c -> {
                double[] g = gradient == null ? null : new double[size];
                double[] z = new double[K];
                double loss = 0;
                for (int i = x.chunkStart(c); i < x.chunkEnd(c); i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < K; k++) {
                        z[k] = theta[K * d + k] + x.dotRow(i, theta, k * d);
                        max = Math.max(max, z[k]);
                    }
                    double sum = 0;   // logsumexp shifted by the max: exp never overflows
                    for (int k = 0; k < K; k++) sum += Math.exp(z[k] - max);
                    loss += max + Math.log(sum) - z[y[i]];
                    if (g == null) continue;
                    for (int k = 0; k < K; k++) {
                        double r = Math.exp(z[k] - max) / sum - (k == y[i] ? 1 : 0);   // ∂loss/∂z_k = p_k − [k = y]
                        Linear.axpy(r, x.values(), i * d, g, k * d, d);
                        g[K * d + k] += r;
                    }
                }
                chunkLoss[c] = loss;
                chunkGrad[c] = g;
            });
            // Chunks are combined in index order, so the sums do not depend on which thread ran what.
            double loss = 0;
            for (double l : chunkLoss) loss += l;
            loss /= n;
            double penalty = 0;
            for (int k = 0; k < K * d; k++) penalty += theta[k] * theta[k];
            if (gradient != null) {
                java.util.Arrays.fill(gradient, 0);
                for (double[] g : chunkGrad) Linear.axpy(1, g, 0, gradient, 0, size);
                for (int k = 0; k < size; k++) gradient[k] /= n;
                for (int k = 0; k < K * d; k++) gradient[k] += lambda * theta[k];
            }
            return loss + 0.5 * lambda * penalty;
        }
    }
}
