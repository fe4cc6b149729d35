package dev.vavl4j.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The logistic-regression objective, its gradient, and what the fitted model recovers. */
class SoftmaxRegressionTest {

    @Test
    void gradientMatchesCentralFiniteDifferences() {
        SplittableRandom rnd = new SplittableRandom(1);
        int n = 300, d = 5, classes = 3;   // n > CHUNK_ROWS: the chunked sum is exercised too
        DesignMatrix x = gaussian(rnd, n, d);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = rnd.nextInt(classes);
        double lambda = 0.3;
        var f = new SoftmaxRegression.Objective(x, y, classes, lambda);
        double[] theta = new double[classes * d + classes];
        for (int k = 0; k < theta.length; k++) theta[k] = rnd.nextGaussian();
        double[] g = new double[theta.length];
        f.valueAndGradient(theta, g);
        double h = 1e-5;
        for (int k = 0; k < theta.length; k++) {
            double[] plus = theta.clone(), minus = theta.clone();
            plus[k] += h;
            minus[k] -= h;
            double fd = (f.valueAndGradient(plus, null) - f.valueAndGradient(minus, null)) / (2 * h);
            assertEquals(fd, g[k], 1e-7 * Math.max(1, Math.abs(fd)), "∂f/∂θ[" + k + "] (bias entries from " + classes * d + ")");
        }
    }

    @Test
    void valueIsMeanCrossEntropyPlusPenaltyOnWeightsOnly() {
        // one row, two classes, d = 1: z = (w0·x + b0, w1·x + b1)
        DesignMatrix x = new DesignMatrix(new double[] {2}, 1, 1);
        double[] theta = {0.5, -1, 3, 7};   // W = (0.5, −1), b = (3, 7): the large bias is not penalised
        double z0 = 0.5 * 2 + 3, z1 = -2 + 7.0;
        double ce = Math.log(Math.exp(z0) + Math.exp(z1)) - z0;
        double v = new SoftmaxRegression.Objective(x, new int[] {0}, 2, 0.4).valueAndGradient(theta, null);
        assertEquals(ce + 0.2 * (0.25 + 1), v, 1e-12);
    }

    @Test
    void separableProblemIsClassifiedPerfectlyOnFreshData() {
        SplittableRandom rnd = new SplittableRandom(2);
        double[][] centres = {{4, 0, 0}, {0, 4, 0}, {0, 0, 4}, {-4, -4, -4}};
        Labeled train = clusters(rnd, centres, 100, 0.5), test = clusters(rnd, centres, 100, 0.5);
        SoftmaxRegression.Model m = SoftmaxRegression.fit(train.x, train.y, 4, 1e-3, null);
        assertTrue(m.fit().converged(), "L-BFGS converged: " + m.fit());
        assertTrue(m.fit().gradientMax() <= SoftmaxRegression.GRADIENT_TOLERANCE);
        assertEquals(1.0, accuracy(m.predict(test.x), test.y), "separable clusters");
    }

    @Test
    void noisyLinearProblemRecoversTheTrueDirection() {
        // Two classes with P(y = 1) = σ(2·x0 − x1): the fitted weight difference points along (2, −1, 0).
        SplittableRandom rnd = new SplittableRandom(3);
        int n = 4000;
        DesignMatrix x = gaussian(rnd, n, 3);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            double z = 2 * x.values()[i * 3] - x.values()[i * 3 + 1];
            y[i] = rnd.nextDouble() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
        }
        SoftmaxRegression.Model m = SoftmaxRegression.fit(x, y, 2, 1e-4, null);
        double[] w = m.weights();
        double[] diff = {w[3] - w[0], w[4] - w[1], w[5] - w[2]};   // class 1 minus class 0
        assertEquals(2, diff[0], 0.25);
        assertEquals(-1, diff[1], 0.2);
        assertEquals(0, diff[2], 0.15);
        assertTrue(m.fit().converged(), m.fit().toString());
    }

    @Test
    void warmStartReachesTheSameMinimiser() {
        SplittableRandom rnd = new SplittableRandom(4);
        Labeled data = clusters(rnd, new double[][] {{1, 0}, {0, 1}, {-1, -1}}, 80, 1.2);
        SoftmaxRegression.Model cold = SoftmaxRegression.fit(data.x, data.y, 3, 0.01, null);
        SoftmaxRegression.Model strong = SoftmaxRegression.fit(data.x, data.y, 3, 1, null);
        SoftmaxRegression.Model warm = SoftmaxRegression.fit(data.x, data.y, 3, 0.01, strong.packed());
        double[] a = cold.packed(), b = warm.packed();
        for (int k = 0; k < a.length; k++) assertEquals(a[k], b[k], 1e-5, "θ[" + k + "]");
    }

    static DesignMatrix gaussian(SplittableRandom rnd, int n, int d) {
        double[] v = new double[n * d];
        for (int i = 0; i < v.length; i++) v[i] = rnd.nextGaussian();
        return new DesignMatrix(v, n, d);
    }

    record Labeled(DesignMatrix x, int[] y) {}

    static Labeled clusters(SplittableRandom rnd, double[][] centres, int perClass, double spread) {
        int d = centres[0].length, n = centres.length * perClass;
        double[] v = new double[n * d];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % centres.length;
            for (int j = 0; j < d; j++) v[i * d + j] = centres[y[i]][j] + spread * rnd.nextGaussian();
        }
        return new Labeled(new DesignMatrix(v, n, d), y);
    }

    static double accuracy(int[] pred, int[] y) {
        int ok = 0;
        for (int i = 0; i < y.length; i++) if (pred[i] == y[i]) ok++;
        return (double) ok / y.length;
    }
}
