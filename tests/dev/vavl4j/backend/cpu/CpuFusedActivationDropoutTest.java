package dev.vavl4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
}
