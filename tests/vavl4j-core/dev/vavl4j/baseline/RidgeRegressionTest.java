package dev.vavl4j.baseline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Ridge against an independently computed closed form, in both the d-by-d and the n-by-n formulation. */
class RidgeRegressionTest {

    @Test
    void oneFeatureByHand() {
        // x = (1, 2, 3), y = (2, 4, 7): x̄ = 2, ȳ = 13/3, Σxc² = 2, Σxc·yc = 5, n = 3.
        // (Σxc² + nλ)·w = Σxc·yc → w = 5 / (2 + 3λ); b = ȳ − x̄·w.
        double lambda = 0.5;
        RidgeRegression.Model m = new RidgeRegression.Problem(new DesignMatrix(new double[] {1, 2, 3}, 3, 1),
                new double[] {2, 4, 7}, 1).fit(lambda);
        double w = 5 / (2 + 3 * lambda);
        assertEquals(w, m.weights()[0], 1e-12);
        assertEquals(13.0 / 3 - 2 * w, m.bias()[0], 1e-12);
    }

    @Test
    void moreRowsThanColumnsMatchesGaussianElimination() {
        check(new SplittableRandom(5), 9, 3, 2, 0.2);
    }

    @Test
    void fewerRowsThanColumnsMatchesGaussianElimination() {
        check(new SplittableRandom(6), 4, 7, 2, 0.05);
    }

    @Test
    void choleskyFactorsAndSolves() {
        double[] a = {4, 2, -2, 2, 5, 1, -2, 1, 6};
        double[] l = Cholesky.factor(a, 3);
        double[] product = new double[9];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 3; k++) product[i * 3 + j] += l[i * 3 + k] * l[j * 3 + k];
            }
        }
        assertArrayEquals(a, product, 1e-12);
        double[] b = {2, 9, 5};
        double[] xs = b.clone();
        Cholesky.solveInPlace(l, 3, xs, 1);
        for (int i = 0; i < 3; i++) {
            double s = 0;
            for (int k = 0; k < 3; k++) s += a[i * 3 + k] * xs[k];
            assertEquals(b[i], s, 1e-12);
        }
        assertThrows(IllegalArgumentException.class, () -> Cholesky.factor(new double[] {1, 2, 2, 1}, 2));
    }

    /**
     * The minimiser of (1/(2n))·Σ(w·x + b − y)² + (λ/2)·‖w‖² with b free, from the gradient equations of the
     * raw (uncentred) problem: [XᵀX + nλI, Xᵀ1; 1ᵀX, n]·[w; b] = [Xᵀy; 1ᵀy], solved by Gaussian elimination.
     */
    private static void check(SplittableRandom rnd, int n, int d, int outputs, double lambda) {
        double[] x = new double[n * d], y = new double[n * outputs];
        for (int i = 0; i < x.length; i++) x[i] = rnd.nextGaussian() + 0.7;   // an offset, so the bias matters
        for (int i = 0; i < y.length; i++) y[i] = rnd.nextGaussian() * 2 + 3;
        RidgeRegression.Model m = new RidgeRegression.Problem(new DesignMatrix(x, n, d), y, outputs).fit(lambda);
        for (int o = 0; o < outputs; o++) {
            int size = d + 1;
            double[][] a = new double[size][size + 1];
            for (int i = 0; i < n; i++) {
                double[] row = new double[size];
                System.arraycopy(x, i * d, row, 0, d);
                row[d] = 1;
                for (int p = 0; p < size; p++) {
                    for (int q = 0; q < size; q++) a[p][q] += row[p] * row[q];
                    a[p][size] += row[p] * y[i * outputs + o];
                }
            }
            for (int p = 0; p < d; p++) a[p][p] += n * lambda;
            double[] sol = gauss(a);
            for (int j = 0; j < d; j++) assertEquals(sol[j], m.weights()[o * d + j], 1e-9, "w[" + o + "][" + j + "]");
            assertEquals(sol[d], m.bias()[o], 1e-9, "b[" + o + "]");
        }
        // and the model predicts w·x + b
        double[] p = m.predict(new DesignMatrix(x, n, d));
        double expect = m.bias()[1];
        for (int j = 0; j < d; j++) expect += m.weights()[d + j] * x[(n - 1) * d + j];
        assertEquals(expect, p[(n - 1) * outputs + 1], 1e-12);
    }

    /** Gaussian elimination with partial pivoting on an augmented [size, size + 1] system. */
    private static double[] gauss(double[][] a) {
        int n = a.length;
        for (int c = 0; c < n; c++) {
            int pivot = c;
            for (int r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) pivot = r;
            double[] t = a[c];
            a[c] = a[pivot];
            a[pivot] = t;
            for (int r = c + 1; r < n; r++) {
                double f = a[r][c] / a[c][c];
                for (int k = c; k <= n; k++) a[r][k] -= f * a[c][k];
            }
        }
        double[] s = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double v = a[r][n];
            for (int k = r + 1; k < n; k++) v -= a[r][k] * s[k];
            s[r] = v / a[r][r];
        }
        return s;
    }
}
