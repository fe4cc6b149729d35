package dev.vavl4j.baseline;

import java.util.stream.IntStream;

/**
 * Ridge regression of every output column at once, minimising per output
 * <pre>  (1/(2n)) Σᵢ (w·xᵢ + b − yᵢ)² + (λ/2)·‖w‖²  </pre>
 * in closed form, the bias not regularised. Centring x and y by their training means removes the bias from
 * the problem exactly (b = ȳ − x̄·w), leaving the normal equations (XcᵀXc + nλI)·w = Xcᵀyc, solved by
 * {@link Cholesky}. When there are fewer rows than columns the equivalent n×n system is solved instead,
 * w = Xcᵀ·(XcXcᵀ + nλI)⁻¹·yc, which gives the same w at a fraction of the cost.
 *
 * <p>The Gram matrix is computed once per {@link Problem}; each λ then costs one factorisation.
 */
final class RidgeRegression {
    /** Rows of X whose outer products are accumulated together; a block stays in cache while every Gram row uses it. */
    private static final int GRAM_BLOCK = 64;

    private RidgeRegression() {}

    /** A fitted model: {@code weights} [outputs, features] row-major, {@code bias} [outputs]. */
    record Model(double[] weights, double[] bias, int outputs, int features) {
        /** Predictions [rows, outputs] row-major. */
        double[] predict(DesignMatrix x) {
            if (x.cols() != features) throw new IllegalArgumentException(x.cols() + " columns, the model has " + features);
            double[] p = new double[x.rows() * outputs];
            x.forEachChunk(c -> {
                for (int i = x.chunkStart(c); i < x.chunkEnd(c); i++) {
                    for (int o = 0; o < outputs; o++) p[i * outputs + o] = bias[o] + x.dotRow(i, weights, o * features);
                }
            });
            return p;
        }
    }

    /** The centred training data and its Gram matrix, ready to be solved for any λ. */
    static final class Problem {
        private final int n, d, outputs;
        private final boolean dual;
        private final double[] xMean, yMean, centred, gram, rhs;

        /** {@code y} is [x.rows(), outputs] row-major; x must have at least one row. */
        Problem(DesignMatrix x, double[] y, int outputs) {
            n = x.rows();
            d = x.cols();
            this.outputs = outputs;
            if (n == 0) throw new IllegalArgumentException("no rows to fit");
            if (y.length != (long) n * outputs) throw new IllegalArgumentException(y.length + " targets for [" + n + ", " + outputs + "]");
            xMean = columnMeans(x.values(), n, d);
            yMean = columnMeans(y, n, outputs);
            double[] yc = y.clone();
            for (int i = 0; i < n; i++) Linear.axpy(-1, yMean, 0, yc, i * outputs, outputs);
            dual = n < d;
            if (dual) {
                centred = x.values().clone();
                for (int i = 0; i < n; i++) Linear.axpy(-1, xMean, 0, centred, i * d, d);
                gram = rowGram(centred, n, d);
                rhs = yc;
            } else {
                centred = null;
                gram = columnGram(x.values(), xMean, n, d);
                rhs = new double[d * outputs];   // Xcᵀ·yc [d, outputs]
                double[] xv = x.values();
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < d; j++) Linear.axpy(xv[i * d + j] - xMean[j], yc, i * outputs, rhs, j * outputs, outputs);
                }
            }
        }

        /** The ridge solution for {@code lambda} &gt; 0. */
        Model fit(double lambda) {
            if (!(lambda > 0)) throw new IllegalArgumentException("lambda must be > 0, got " + lambda);
            int m = dual ? n : d;
            double[] a = gram.clone();
            for (int j = 0; j < m; j++) a[j * m + j] += n * lambda;
            double[] sol = rhs.clone();   // [m, outputs]
            Cholesky.solveInPlace(Cholesky.factor(a, m), m, sol, outputs);
            double[] w = new double[outputs * d];   // [outputs, d]
            if (dual) {   // w = Xcᵀ·α
                for (int i = 0; i < n; i++) {
                    for (int o = 0; o < outputs; o++) Linear.axpy(sol[i * outputs + o], centred, i * d, w, o * d, d);
                }
            } else {
                for (int j = 0; j < d; j++) {
                    for (int o = 0; o < outputs; o++) w[o * d + j] = sol[j * outputs + o];
                }
            }
            double[] b = new double[outputs];
            for (int o = 0; o < outputs; o++) b[o] = yMean[o] - Linear.dot(xMean, 0, w, o * d, d);
            return new Model(w, b, outputs, d);
        }
    }

    private static double[] columnMeans(double[] v, int rows, int cols) {
        double[] m = new double[cols];
        for (int i = 0; i < rows; i++) Linear.axpy(1, v, i * cols, m, 0, cols);
        for (int j = 0; j < cols; j++) m[j] /= rows;
        return m;
    }

    /**
     * XcᵀXc [d, d] of the centred rows, accumulated as outer products in blocks of rows; each Gram row is
     * owned by one task and sums the rows in order, so the result does not depend on the threads.
     */
    private static double[] columnGram(double[] x, double[] mean, int n, int d) {
        double[] g = new double[d * d];
        double[] block = new double[GRAM_BLOCK * d];
        for (int i0 = 0; i0 < n; i0 += GRAM_BLOCK) {
            int rows = Math.min(GRAM_BLOCK, n - i0);
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < d; j++) block[r * d + j] = x[(i0 + r) * d + j] - mean[j];
            }
            IntStream.range(0, d).parallel().forEach(a -> {
                for (int r = 0; r < rows; r++) Linear.axpy(block[r * d + a], block, r * d + a, g, a * d + a, d - a);
            });
        }
        for (int a = 0; a < d; a++) {   // mirror the upper triangle: Cholesky reads the lower one
            for (int b = a + 1; b < d; b++) g[b * d + a] = g[a * d + b];
        }
        return g;
    }

    /** XcXcᵀ [n, n] of centred rows. */
    private static double[] rowGram(double[] xc, int n, int d) {
        double[] g = new double[n * n];
        IntStream.range(0, n).parallel().forEach(i -> {
            for (int j = 0; j <= i; j++) g[i * n + j] = g[j * n + i] = Linear.dot(xc, i * d, xc, j * d, d);
        });
        return g;
    }
}
