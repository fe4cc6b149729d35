package dev.vavl4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.Tensor;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fused activation + dropout ops are bit-identical to the passes they replaced: addBias, the
 * activation, then dropout (forward), and dropoutBackward then the activation's derivative (backward),
 * with the same seed and element indices. Parity fixtures, exact resume and every earlier result rest on
 * this. Sizes include one split across several parallel chunks; p = 0 is eval mode, where the seed must
 * not matter.
 */
class CpuFusedActivationDropoutTest {
    private final Backend be = new CpuBackend();

    private record Case(float[] pre, float[] bias, float[] dOut, int rows, int cols) {}

    private static Case randomCase(int rows, int cols) {
        Random r = new Random(rows * 131L + cols);
        float[] pre = new float[rows * cols], bias = new float[cols], dOut = new float[rows * cols];
        for (int i = 0; i < pre.length; i++) pre[i] = (float) (r.nextGaussian() * 3);
        for (int i = 0; i < cols; i++) bias[i] = (float) r.nextGaussian();
        for (int i = 0; i < dOut.length; i++) dOut[i] = (float) r.nextGaussian();
        return new Case(pre, bias, dOut, rows, cols);
    }

    /** The unfused forward: pre += bias (addBias), act = f(pre) elementwise, out = dropout(act). */
    private float[][] unfusedForward(Case c, boolean swish, float p, long seed) {
        Tensor pre = be.fromHost(c.pre, c.rows, c.cols);
        be.addBias(pre, be.fromHost(c.bias, c.cols));
        float[] act = be.toHost(pre);
        for (int i = 0; i < act.length; i++) act[i] = swish ? CpuActivations.swish(act[i]) : Math.max(0f, act[i]);
        Tensor out = be.zeros(c.rows, c.cols);
        be.dropout(be.fromHost(act, c.rows, c.cols), p, seed, out);
        return new float[][] {be.toHost(pre), be.toHost(out)};
    }

    /** The unfused backward: g = dropoutBackward(dOut), then g·swish'(pre) in double, or g where pre &gt; 0. */
    private float[] unfusedBackward(Case c, float[] biasedPre, boolean swish, float p, long seed) {
        Tensor g = be.zeros(c.rows, c.cols);
        be.dropoutBackward(be.fromHost(c.dOut, c.rows, c.cols), p, seed, g);
        float[] gv = be.toHost(g), d = new float[gv.length];
        for (int i = 0; i < d.length; i++) {
            float x = biasedPre[i];
            d[i] = swish ? (float) (gv[i] * CpuActivations.swishGrad(x)) : (Math.max(0f, x) > 0f ? gv[i] : 0f);
        }
        return d;
    }

    private float[][] fused(Case c, boolean swish, float p, long seed) {
        Tensor pre = be.fromHost(c.pre, c.rows, c.cols), bias = be.fromHost(c.bias, c.cols);
        Tensor out = be.zeros(c.rows, c.cols), dPre = be.zeros(c.rows, c.cols), dOut = be.fromHost(c.dOut, c.rows, c.cols);
        if (swish) {
            be.biasSwishDropout(pre, bias, p, seed, out);
            be.swishDropoutBackward(dOut, pre, p, seed, dPre);
        } else {
            be.biasReluDropout(pre, bias, p, seed, out);
            be.reluDropoutBackward(dOut, pre, p, seed, dPre);
        }
        return new float[][] {be.toHost(pre), be.toHost(out), be.toHost(dPre)};
    }

    @ParameterizedTest
    @CsvSource({
        "true, 7, 9, 0.3", "true, 700, 64, 0.1", "true, 700, 64, 0.5", "true, 33, 5, 0",
        "false, 7, 9, 0.3", "false, 700, 64, 0.1", "false, 700, 64, 0.5", "false, 33, 5, 0"})
    void fusedOpsAreBitIdenticalToTheUnfusedPasses(boolean swish, int rows, int cols, float p) {
        Case c = randomCase(rows, cols);
        long seed = 0x1234_5678_9ABCL + rows;
        float[][] ref = unfusedForward(c, swish, p, seed);
        float[] refGrad = unfusedBackward(c, ref[0], swish, p, seed);
        float[][] got = fused(c, swish, p, seed);
        assertArrayEquals(ref[0], got[0], "pre += bias");
        assertArrayEquals(ref[1], got[1], "out");
        assertArrayEquals(refGrad, got[2], "dPre");
        int zeros = 0;
        for (float v : got[1]) if (v == 0f) zeros++;
        if (p > 0f) assertTrue(zeros > 0, "p = " + p + " dropped nothing"); // the comparison above covered a mask
        if (p == 0f) {
            float[][] otherSeed = fused(c, swish, p, seed + 1);
            for (int k = 0; k < 3; k++) assertArrayEquals(got[k], otherSeed[k], "p = 0 depends on the seed");
        }
    }

    /**
     * The vectorised loops against the scalar definitions element by element: dropout against
     * DropoutHash.uniform directly, the activations against CpuActivations, on sizes that leave a scalar
     * tail and with the edge values (NaN, ±0, ±inf, large magnitudes) where lane semantics could differ.
     */
    @ParameterizedTest
    @CsvSource({"0.1, 1", "0.5, 13", "0.9, 1031", "0.1, 4099"})
    void vectorLoopsMatchTheScalarDefinitions(float p, int n) {
        Random r = new Random(n);
        float[] x = new float[n], g = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * 6);
            g[i] = (float) r.nextGaussian();
        }
        float[] edge = {Float.NaN, 0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 90f, -90f, 1e-30f};
        for (int i = 0; i < Math.min(n, edge.length); i++) x[(i * 7) % n] = edge[i];
        long seed = 0xC0FFEEL * n;
        float keep = CpuActivations.keepScale(p);
        float[] got = new float[n];
        CpuVectorActivations.dropout(x, got, 0, n, p, keep, seed);
        for (int i = 0; i < n; i++) {
            float want = dev.vavl4j.backend.DropoutHash.uniform(seed, i) < p ? 0f : x[i] * keep;
            assertEquals(want, got[i], 0f, "dropout element " + i);
        }
        float[] pre = x.clone(), zeroBias = new float[n], out = new float[n], d = new float[n];
        CpuVectorActivations.biasActivationDropout(pre, zeroBias, out, n, 0, 1, true, p, keep, seed);
        CpuVectorActivations.reluDropoutBackward(g, x, d, 0, n, p, keep, seed);
        for (int i = 0; i < n; i++) {
            assertEquals(CpuActivations.dropout(Math.max(0f, x[i]), p, keep, seed, i), out[i], 0f, "relu element " + i);
            assertEquals(x[i] > 0f ? CpuActivations.dropout(g[i], p, keep, seed, i) : 0f, d[i], 0f, "relu grad element " + i);
        }
        pre = x.clone();
        CpuVectorActivations.biasActivationDropout(pre, zeroBias, out, n, 0, 1, false, p, keep, seed);
        CpuVectorActivations.swishDropoutBackward(g, x, d, 0, n, p, keep, seed);
        for (int i = 0; i < n; i++) {
            float want = CpuActivations.dropout(CpuActivations.swish(x[i]), p, keep, seed, i);
            float wantGrad = (float) (CpuActivations.dropout(g[i], p, keep, seed, i) * CpuActivations.swishGrad(x[i]));
            assertWithinOneUlp(want, out[i], "swish element " + i + " at " + x[i]);
            assertWithinOneUlp(wantGrad, d[i], "swish grad element " + i + " at " + x[i]);
        }
    }

    private static void assertWithinOneUlp(float want, float got, String what) {
        if (Float.isNaN(want) || Float.isInfinite(want)) assertEquals(want, got, 0f, what);
        else assertEquals(want, got, Math.ulp(want), what);
    }
}
