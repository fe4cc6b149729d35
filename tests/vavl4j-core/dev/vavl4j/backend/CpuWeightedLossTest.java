package dev.vavl4j.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.testutil.GradCheck;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ops added for small-data training on the CPU reference backend: class-weighted
 * {@link Backend#crossEntropyArgmax(Tensor, Tensor, Tensor, float, Tensor)} (PyTorch's
 * {@code cross_entropy(weight=w, reduction='mean')}) against an independent double computation, a
 * finite-difference check, weights all 1 and null weights against the unweighted op bit for bit, bad shapes;
 * {@link Backend#sumOfSquares} against a host double sum; and {@link Backend#scaleInto} in place.
 * CudaWeightedLossParityTest runs the same ops on the CUDA backend against this one.
 */
class CpuWeightedLossTest {
    private final Backend be = new CpuBackend();

    // ------------------------------------------------------------------ weighted cross-entropy

    /** An independent reference: log-softmax by log1p over the other classes, the sums in a different order. */
    static double[] reference(float[] logits, float[] targets, float[] w, float scale, int n, int C, double[] grad) {
        int[] y = new int[n];
        for (int r = 0; r < n; r++) {
            float best = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < C; c++) {
                if (targets[r * C + c] > best) { // strictly greater: the first maximum wins
                    best = targets[r * C + c];
                    y[r] = c;
                }
            }
        }
        double W = 0, num = 0;
        for (int r = n - 1; r >= 0; r--) W += w == null ? 1 : w[y[r]];
        for (int r = n - 1; r >= 0; r--) {
            double wr = w == null ? 1 : w[y[r]];
            double zy = logits[r * C + y[r]];
            double rest = 0;  // Σ_{c≠y} e^(z_c − z_y)
            for (int c = C - 1; c >= 0; c--) if (c != y[r]) rest += Math.exp(logits[r * C + c] - zy);
            double nll = Math.log1p(rest);  // −log softmax_y
            num += wr * nll;
            double z = 1 + rest;
            for (int c = 0; c < C; c++) {
                double p = c == y[r] ? 1 / z : Math.exp(logits[r * C + c] - zy) / z;
                grad[r * C + c] = scale * wr * (p - (c == y[r] ? 1 : 0)) / W;
            }
        }
        return new double[] {num / W, W};
    }

    static float[] randn(Random r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * scale);
        return a;
    }

    /** Positive weights spread over two orders of magnitude, as inverse class frequencies are. */
    static float[] weights(Random r, int C) {
        float[] w = new float[C];
        for (int c = 0; c < C; c++) w[c] = (float) Math.exp(r.nextGaussian() * 1.2);
        return w;
    }

    static float[] garbage(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (i % 3 == 0) ? Float.NaN : 1e30f * (i % 2 == 0 ? 1 : -1);
        return a;
    }

    @ParameterizedTest
    @CsvSource({"9, 4, 1", "1, 1, 1", "1, 5, 0.5", "64, 8, 2", "7, 33, 1.5"})
    void weightedMatchesAnIndependentDoubleComputation(int n, int C, float scale) {
        Random r = new Random(n * 31 + C);
        float[] logits = randn(r, n * C, 3), targets = randn(r, n * C, 1), w = weights(r, C);
        if (C >= 3) {
            targets[1] = 5f;  // a tie: class 1 (the first maximum), not 2
            targets[2] = 5f;
            logits[0] = 60f;  // saturated row
        }
        Tensor d = be.fromHost(garbage(n * C), n, C);
        double loss = be.crossEntropyArgmax(be.fromHost(logits, n, C), be.fromHost(targets, n, C),
                be.fromHost(w, C), scale, d);
        double[] g = new double[n * C];
        double ref = reference(logits, targets, w, scale, n, C, g)[0];
        assertEquals(ref, loss, 1e-12 * Math.max(1, Math.abs(ref)), "loss");
        float[] got = be.toHost(d);
        for (int i = 0; i < g.length; i++) {
            assertEquals(g[i], got[i], 1e-7 * Math.abs(g[i]) + 1e-12, "dLogits[" + i + "]");
        }
    }

    /** PyTorch semantics by hand: two rows of classes 0 and 2, weights 0.5 and 3. */
    @Test
    void smallCaseByHand() {
        float[] logits = {1f, 2f, 0f, -1f, 0.5f, 2.5f}, targets = {1, 0, 0, 0, 0, 1}, w = {0.5f, 7f, 3f};
        double l0 = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(0)) - 1;
        double l1 = Math.log(Math.exp(-1) + Math.exp(0.5) + Math.exp(2.5)) - 2.5;
        double expected = (0.5 * l0 + 3 * l1) / 3.5;
        Tensor d = be.zeros(2, 3);
        double loss = be.crossEntropyArgmax(be.fromHost(logits, 2, 3), be.fromHost(targets, 2, 3), be.fromHost(w, 3), 1f, d);
        assertEquals(expected, loss, 1e-12);
        float[] g = be.toHost(d);
        double p00 = Math.exp(1) / (Math.exp(1) + Math.exp(2) + Math.exp(0));
        assertEquals(0.5 * (p00 - 1) / 3.5, g[0], 1e-7);
        // Weights only reweight: the unweighted loss of the same batch differs.
        assertTrue(Math.abs(be.crossEntropyArgmax(be.fromHost(logits, 2, 3), be.fromHost(targets, 2, 3), 1f,
                be.zeros(2, 3)) - expected) > 1e-3);
    }

    @Test
    void weightedGradientMatchesFiniteDifferences() {
        Random r = new Random(40);
        int n = 6, C = 5;
        Tensor logits = GradCheck.randn(be, r, 1.5, n, C);
        float[] y = randn(r, n * C, 1);
        y[1] = y[3] = 9f;  // a tie in row 0: class 1
        Tensor targets = be.fromHost(y, n, C), w = be.fromHost(new float[] {0.2f, 3f, 1f, 0.7f, 5f}, C);
        java.util.function.DoubleSupplier fwd = () -> be.crossEntropyArgmax(logits, targets, w, 1f, be.zeros(n, C));
        Tensor d = be.fromHost(garbage(n * C), n, C);
        be.crossEntropyArgmax(logits, targets, w, 1f, d);
        GradCheck.scalar(be, 41, fwd).check("logits", logits, be.toHost(d), 1e-2);
        // scale multiplies the gradient, not the loss
        Tensor d2 = be.zeros(n, C);
        double l2 = be.crossEntropyArgmax(logits, targets, w, 2.5f, d2);
        assertEquals(fwd.getAsDouble(), l2, 0.0);
        float[] g1 = be.toHost(d), g2 = be.toHost(d2);
        for (int i = 0; i < g1.length; i++) assertEquals(2.5 * g1[i], g2[i], 1e-6, "scaled gradient " + i);
    }

    @ParameterizedTest
    @CsvSource({"9, 4, 1", "1, 1, 1", "300, 8, 0.75", "5, 33, 2"})
    void weightsAllOneAndNullWeightsGiveTheUnweightedBits(int n, int C, float scale) {
        Random r = new Random(n + 7L * C);
        float[] logits = randn(r, n * C, 4), targets = randn(r, n * C, 1), ones = new float[C];
        java.util.Arrays.fill(ones, 1f);
        Tensor l = be.fromHost(logits, n, C), t = be.fromHost(targets, n, C);
        Tensor d4 = be.fromHost(garbage(n * C), n, C), dNull = be.fromHost(garbage(n * C), n, C),
                dOnes = be.fromHost(garbage(n * C), n, C);
        double loss4 = be.crossEntropyArgmax(l, t, scale, d4);
        double lossNull = be.crossEntropyArgmax(l, t, null, scale, dNull);
        double lossOnes = be.crossEntropyArgmax(l, t, be.fromHost(ones, C), scale, dOnes);
        // the unweighted op is today's (pinned by a copy of its reference loop)
        float[] dOld = new float[n * C];
        double lossOld = unweightedAsBefore(logits, targets, scale, dOld, n, C);
        assertEquals(Double.doubleToRawLongBits(lossOld), Double.doubleToRawLongBits(loss4), "4-argument loss");
        assertArrayEquals(bits(dOld), bits(be.toHost(d4)), "4-argument gradient");
        assertEquals(Double.doubleToRawLongBits(loss4), Double.doubleToRawLongBits(lossNull), "null-weight loss");
        assertArrayEquals(bits(be.toHost(d4)), bits(be.toHost(dNull)), "null-weight gradient");
        assertEquals(Double.doubleToRawLongBits(loss4), Double.doubleToRawLongBits(lossOnes), "weights-1 loss");
        assertArrayEquals(bits(be.toHost(d4)), bits(be.toHost(dOnes)), "weights-1 gradient");
    }

    /** A verbatim copy of the unweighted CPU reference as it was before class weights. */
    private static double unweightedAsBefore(float[] logits, float[] targets, float scale, float[] d, int n, int C) {
        double loss = 0;
        for (int r = 0; r < n; r++) {
            int o = r * C;
            int target = 0;
            for (int c = 1; c < C; c++) if (targets[o + c] > targets[o + target]) target = c;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < C; c++) max = Math.max(max, logits[o + c]);
            double sum = 0;
            for (int c = 0; c < C; c++) sum += Math.exp(logits[o + c] - max);
            double lse = max + Math.log(sum);
            loss += lse - logits[o + target];
            for (int c = 0; c < C; c++) {
                double prob = Math.exp(logits[o + c] - lse);
                d[o + c] = (float) (scale * (prob - (c == target ? 1 : 0)) / n);
            }
        }
        return loss / n;
    }

    static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Float.floatToRawIntBits(v[i]);
        return b;
    }

    @Test
    void badWeightShapesAreRejected() {
        int n = 4, C = 3;
        Tensor l = be.zeros(n, C), t = be.zeros(n, C), d = be.zeros(n, C);
        for (int size : new int[] {C - 1, C + 1, 1}) {
            Tensor w = be.zeros(size);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> be.crossEntropyArgmax(l, t, w, 1f, d), "weights of size " + size);
            assertTrue(e.getMessage().contains("width mismatch"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> be.crossEntropyArgmax(l, be.zeros(n, C + 1), be.zeros(C), 1f, d));
        assertThrows(IllegalArgumentException.class, () -> be.crossEntropyArgmax(l, t, be.zeros(C), 1f, be.zeros(n, C + 1)));
    }

    @Test
    void zeroWeightOfEveryTargetGivesNaNAsPyTorch() {
        float[] logits = {1f, 2f, 0f, 3f}, targets = {1, 0, 1, 0};
        Tensor d = be.zeros(2, 2);
        double loss = be.crossEntropyArgmax(be.fromHost(logits, 2, 2), be.fromHost(targets, 2, 2),
                be.fromHost(new float[] {0f, 4f}, 2), 1f, d);
        assertTrue(Double.isNaN(loss), "0/0: " + loss);
    }

    // ------------------------------------------------------------------ sum of squares

    static double hostSumOfSquares(float[] x) {
        double s = 0;
        for (float v : x) s += (double) v * v;
        return s;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 255, 256, 257, 1000, 65_535, 65_536, 65_537, 262_145, 3_000_000})
    void sumOfSquaresMatchesAHostDoubleSum(int count) {
        Random r = new Random(count);
        float[] x = randn(r, count, 2);
        double got = be.sumOfSquares(be.fromHost(x, count));
        double ref = hostSumOfSquares(x);
        assertEquals(ref, got, 1e-11 * ref, "Σx² of " + count);  // both in double, in different orders
        // deterministic: the same bits on a second call (fixed partial sums, whatever the threads)
        assertEquals(Double.doubleToRawLongBits(got), Double.doubleToRawLongBits(be.sumOfSquares(be.fromHost(x, count))));
    }

    @Test
    void sumOfSquaresEdgeCases() {
        assertEquals(0.0, be.sumOfSquares(be.zeros(0)));
        assertEquals(0.0, be.sumOfSquares(be.zeros(5, 7)));
        assertEquals(9.0, be.sumOfSquares(be.fromHost(new float[] {-3f}, 1)));
        // each square is taken in double: float would overflow at 1e20² = 1e40
        assertEquals(2.0 * (double) 1e20f * (double) 1e20f, be.sumOfSquares(be.fromHost(new float[] {1e20f, -1e20f}, 2)), 0.0);
        assertEquals(14.0, be.sumOfSquares(be.fromHost(new float[] {1, 2, 3}, 1, 3, 1)));  // any shape
        assertTrue(Double.isNaN(be.sumOfSquares(be.fromHost(new float[] {1f, Float.NaN, 2f}, 3))));
        assertEquals(Double.POSITIVE_INFINITY, be.sumOfSquares(be.fromHost(new float[] {Float.NEGATIVE_INFINITY}, 1)));
    }

    // ------------------------------------------------------------------ scaleInto in place

    @ParameterizedTest
    @ValueSource(ints = {1, 1000, 300_001})
    void scaleIntoIsSafeInPlace(int count) {
        Random r = new Random(count + 1);
        float[] x = randn(r, count, 1);
        float alpha = 0.37f;
        Tensor t = be.fromHost(x, count);
        be.scaleInto(t, alpha, t);
        float[] got = be.toHost(t);
        for (int i = 0; i < count; i++) assertEquals(alpha * x[i], got[i], 0f, "element " + i);
    }
}
