package dev.vavl4j.backend;

import static dev.vavl4j.testutil.GradCheck.assertAllFinite;
import static dev.vavl4j.testutil.GradCheck.assertZeroAtPadded;
import static dev.vavl4j.testutil.GradCheck.maxAbs;
import static dev.vavl4j.testutil.GradCheck.minus;
import static dev.vavl4j.testutil.GradCheck.randn;
import static dev.vavl4j.testutil.GradCheck.sequence;
import static dev.vavl4j.testutil.GradCheck.validWeights;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.testutil.GradCheck;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Finite-difference checks of every backward op of {@link Backend} on the CPU reference backend, on
 * small shapes with unequal lengths and garbage in padded frames (see {@link GradCheck} for the method
 * and the tolerance). Outputs documented as "overwritten" are pre-filled with garbage and outputs
 * documented as "accumulated" with random values that are subtracted afterwards, so the accumulate /
 * overwrite contract is checked too.
 */
class BackendOpsGradCheckTest {
    private static final int B = 3, T = 7, C = 8;
    private static final int[] LENGTHS = {7, 4, 2};

    private final Backend be = new CpuBackend();

    private Tensor t(float[] v, int... shape) {
        return be.fromHost(v, shape);
    }

    private float[] h(Tensor x) {
        return be.toHost(x);
    }

    /** A tensor pre-filled with a garbage value, for outputs that must be overwritten. */
    private Tensor garbage(int... shape) {
        Tensor x = be.zeros(shape);
        be.fill(x, 123.25f);
        return x;
    }

    // ------------------------------------------------------------------ dense algebra

    /** y = x·Wᵀ + b with gemm + addBias; dW = dyᵀ·x (gemm transA), dx = dy·W (gemm), db = Σ dy. */
    @Test
    void gemmAndBias() {
        Random r = new Random(1);
        int rows = 5, in = 6, out = 4;
        Tensor x = randn(be, r, 1, rows, in), W = randn(be, r, 0.5, out, in), b = randn(be, r, 0.3, out);
        float[] w = randn(r, rows * out, 1);
        Tensor dy = t(w, rows, out);
        java.util.function.Supplier<float[]> fwd = () -> {
            Tensor y = be.zeros(rows, out);
            be.fill(y, 9f); // beta = 0 must ignore C
            be.gemm(x, false, W, true, y, 1f, 0f);
            be.addBias(y, b);
            return h(y);
        };
        float[] accW = randn(r, out * in, 1), accX = randn(r, rows * in, 1), accB = randn(r, out, 1);
        Tensor dW = t(accW.clone(), out, in), dx = t(accX.clone(), rows, in), db = t(accB.clone(), out);
        be.gemm(dy, true, x, false, dW, 1f, 1f);
        be.gemm(dy, false, W, false, dx, 1f, 1f);
        be.accumulateBiasGrad(dy, db);
        new GradCheck(be, 11, fwd, w)
                .check("W", W, minus(h(dW), accW), 5e-3)
                .check("b", b, minus(h(db), accB), 5e-3)
                .check("x", x, minus(h(dx), accX), 1e-2);
    }

    /** gemm with alpha ≠ 1 and both operands transposed, against a double-precision product. */
    @Test
    void gemmTransposedBothWithAlphaBeta() {
        Random r = new Random(2);
        int m = 3, k = 5, n = 4;
        float[] a = randn(r, k * m, 1), bb = randn(r, n * k, 1), c0 = randn(r, m * n, 1);
        Tensor c = t(c0.clone(), m, n);
        be.gemm(t(a, k, m), true, t(bb, n, k), true, c, 0.5f, 2f);
        float[] got = h(c);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double) a[p * m + i] * bb[j * k + p];
                assertEquals(0.5 * s + 2 * c0[i * n + j], got[i * n + j], 1e-5);
            }
        }
    }

    // ------------------------------------------------------------------ normalisation

    @Test
    void layerNorm() {
        Random r = new Random(3);
        int rows = 6;
        float[] xv = randn(r, rows * C, 1.5);
        for (int i = 0; i < C; i++) xv[i] += 4f; // a row with a large mean
        Tensor x = t(xv, rows, C), wt = t(plusOne(randn(r, C, 0.3)), C), bias = randn(be, r, 0.3, C);
        float[] w = randn(r, rows * C, 1);
        java.util.function.Supplier<float[]> fwd = () -> {
            Tensor y = be.zeros(rows, C);
            be.layerNorm(x, new NormAffine(wt, bias), 1e-5f, y, new LayerNormStats(be.zeros(rows), be.zeros(rows)));
            return h(y);
        };
        Tensor y = be.zeros(rows, C), mean = be.zeros(rows), rstd = be.zeros(rows);
        be.layerNorm(x, new NormAffine(wt, bias), 1e-5f, y, new LayerNormStats(mean, rstd));
        float[] accX = randn(r, rows * C, 1), accW = randn(r, C, 1), accB = randn(r, C, 1);
        Tensor dx = t(accX.clone(), rows, C), dW = t(accW.clone(), C), dB = t(accB.clone(), C);
        be.layerNormBackward(t(w, rows, C), x, wt, new LayerNormStats(mean, rstd), dx, new NormAffineGrads(dW, dB));
        new GradCheck(be, 12, fwd, w)
                .check("x", x, minus(h(dx), accX), 1e-2)
                .check("weight", wt, minus(h(dW), accW), 1e-2)
                .check("bias", bias, minus(h(dB), accB), 1e-2);
    }

    /**
     * Train-mode masked batch norm + swish as the conv module runs it: statistics from
     * maskedBatchStats over valid frames (so they depend on x), batchNormSwish, and the backward with
     * those statistics. Padded frames hold garbage; L sums valid frames only.
     */
    @Test
    void maskedBatchNormSwishTrainMode() {
        Random r = new Random(4);
        float[] xv = sequence(r, LENGTHS, T, C, 1.0, 300.0);
        for (int i = 0; i < xv.length; i++) if (i % C == 3) xv[i] = xv[i] * 0.05f + 2f; // a low-variance channel
        Tensor x = t(xv, B, T, C), wt = t(plusOne(randn(r, C, 0.3)), C), bias = randn(be, r, 0.3, C);
        SeqMask mask = be.mask(LENGTHS, T);
        float eps = 1e-5f;
        float[] w = validWeights(r, LENGTHS, T, C);
        java.util.function.Supplier<float[]> fwd = () -> {
            Tensor mean = be.zeros(C), var = be.zeros(C), bn = be.zeros(B, T, C), out = be.zeros(B, T, C);
            be.maskedBatchStats(x, mask, mean, var);
            be.batchNormSwish(x, new BatchStats(mean, var), new NormAffine(wt, bias), eps, bn, out);
            return h(out);
        };
        Tensor mean = be.zeros(C), var = be.zeros(C), bn = be.zeros(B, T, C), out = be.zeros(B, T, C);
        be.maskedBatchStats(x, mask, mean, var);
        checkStats(xv, h(mean), h(var));
        be.batchNormSwish(x, new BatchStats(mean, var), new NormAffine(wt, bias), eps, bn, out);
        Tensor dx = garbage(B, T, C);
        float[] accW = randn(r, C, 1), accB = randn(r, C, 1);
        Tensor dW = t(accW.clone(), C), dB = t(accB.clone(), C);
        be.batchNormSwishBackward(t(w, B, T, C), x, bn, new BatchStats(mean, var), wt, eps, mask, dx,
                new NormAffineGrads(dW, dB));
        float[] gx = h(dx);
        assertZeroAtPadded(gx, LENGTHS, T, C, "batch norm dx");
        new GradCheck(be, 13, fwd, w)
                .check("x", x, gx, 1e-3) // small: channel 3 has std 0.05
                .check("weight", wt, minus(h(dW), accW), 1e-2)
                .check("bias", bias, minus(h(dB), accB), 1e-2);
    }

    private static void checkStats(float[] x, float[] mean, float[] var) {
        for (int c = 0; c < C; c++) {
            double s = 0, s2 = 0;
            int n = 0;
            for (int b = 0; b < B; b++) {
                for (int t = 0; t < LENGTHS[b]; t++) {
                    s += x[(b * T + t) * C + c];
                    n++;
                }
            }
            double mu = s / n;
            for (int b = 0; b < B; b++) {
                for (int t = 0; t < LENGTHS[b]; t++) s2 += Math.pow(x[(b * T + t) * C + c] - mu, 2);
            }
            assertEquals(mu, mean[c], 1e-5, "mean " + c);
            assertEquals(s2 / n, var[c], 1e-5, "biased var " + c);
        }
    }

    // ------------------------------------------------------------------ activations

    /**
     * pre ← pre + bias, out = drop(swish(pre)); backward via swishDropoutBackward + accumulateBiasGrad.
     * With p &gt; 0 every evaluation uses the same seed, so the check shows that backward regenerates the
     * forward's mask; the kept outputs are swish·1/(1−p) and the dropped ones exactly 0.
     */
    @ParameterizedTest
    @ValueSource(floats = {0f, 0.3f})
    void biasSwishDropout(float p) {
        Random r = new Random(5);
        int rows = 6;
        long seed = 55555L;
        float[] pre0 = randn(r, rows * C, 2.0);
        Tensor pre = t(pre0.clone(), rows, C), bias = randn(be, r, 0.5, C);
        float[] w = randn(r, rows * C, 1);
        java.util.function.Supplier<float[]> fwd = () -> {
            Tensor x = be.zeros(rows, C), o = garbage(rows, C);
            be.copy(pre, x); // the op adds the bias in place
            be.biasSwishDropout(x, bias, p, seed, o);
            return h(o);
        };
        Tensor x = be.zeros(rows, C), o = garbage(rows, C);
        be.copy(pre, x);
        be.biasSwishDropout(x, bias, p, seed, o);
        float[] biased = h(x), bv = h(bias), out = h(o);
        int dropped = 0;
        for (int i = 0; i < biased.length; i++) {
            assertEquals(pre0[i] + bv[i % C], biased[i], 1e-6, "pre += bias");
            double swish = biased[i] / (1 + Math.exp(-biased[i]));
            if (out[i] == 0f) dropped++;
            else assertEquals(swish / (1 - p), out[i], 1e-5 * Math.max(1, Math.abs(swish)), "kept output " + i);
        }
        assertDroppedFraction(dropped, rows * C, p);
        Tensor dPre = garbage(rows, C);
        be.swishDropoutBackward(t(w, rows, C), x, p, seed, dPre);
        float[] accB = randn(r, C, 1);
        Tensor dB = t(accB.clone(), C);
        be.accumulateBiasGrad(dPre, dB);
        new GradCheck(be, 14, fwd, w)
                .check("pre", pre, h(dPre), 1e-2)
                .check("bias", bias, minus(h(dB), accB), 1e-2);
    }

    /**
     * pre ← pre + bias, out = drop(relu(pre)); backward via reluDropoutBackward + accumulateBiasGrad, at
     * pre-activations kept ≥ 0.1 away from the kink (so ±step never crosses it), half of them negative.
     */
    @ParameterizedTest
    @ValueSource(floats = {0f, 0.3f})
    void biasReluDropout(float p) {
        Random r = new Random(6);
        int rows = 5;
        long seed = 66666L;
        Tensor bias = randn(be, r, 0.5, C);
        float[] bv = h(bias), pre0 = randn(r, rows * C, 1);
        for (int i = 0; i < pre0.length; i++) { // pre0 + bias at least 0.1 from 0
            float y = pre0[i] + bv[i % C];
            pre0[i] += Math.signum(y) * 0.1f;
        }
        Tensor pre = t(pre0.clone(), rows, C);
        float[] w = randn(r, rows * C, 1);
        java.util.function.Supplier<float[]> fwd = () -> {
            Tensor x = be.zeros(rows, C), o = garbage(rows, C);
            be.copy(pre, x);
            be.biasReluDropout(x, bias, p, seed, o);
            for (float v : h(x)) assertTrue(Math.abs(v) >= 0.05f, "pre-activation " + v + " near the kink");
            return h(o);
        };
        Tensor x = be.zeros(rows, C), o = garbage(rows, C);
        be.copy(pre, x);
        be.biasReluDropout(x, bias, p, seed, o);
        float[] biased = h(x), out = h(o);
        int dropped = 0, active = 0;
        for (int i = 0; i < biased.length; i++) {
            assertEquals(pre0[i] + bv[i % C], biased[i], 1e-6, "pre += bias");
            if (biased[i] <= 0f) {
                assertEquals(0f, out[i], "relu of a negative pre-activation");
                continue;
            }
            active++;
            if (out[i] == 0f) dropped++;
            else assertEquals(biased[i] / (1 - p), out[i], 1e-6, "kept output " + i);
        }
        assertTrue(active > 10 && active < 30, active + " of 40 units active");
        assertDroppedFraction(dropped, active, p);
        Tensor dPre = garbage(rows, C);
        be.reluDropoutBackward(t(w, rows, C), x, p, seed, dPre);
        float[] accB = randn(r, C, 1);
        Tensor dB = t(accB.clone(), C);
        be.accumulateBiasGrad(dPre, dB);
        new GradCheck(be, 15, fwd, w)
                .check("pre", pre, h(dPre), 5e-3)
                .check("bias", bias, minus(h(dB), accB), 5e-3);
    }

    /** p = 0 drops nothing; otherwise some but not most of n (loose: n is small here). */
    private static void assertDroppedFraction(int dropped, int n, float p) {
        if (p == 0f) assertEquals(0, dropped, "p = 0 dropped elements");
        else assertTrue(dropped > 0.1 * n && dropped < 0.6 * n, dropped + " of " + n + " dropped at p = " + p);
    }

    /** z = a·σ(b) at valid frames, 0 at padded ones (which hold garbage in g). */
    @Test
    void gluMasked() {
        Random r = new Random(7);
        Tensor g = t(sequence(r, LENGTHS, T, 2 * C, 1.5, 1e4), B, T, 2 * C);
        SeqMask mask = be.mask(LENGTHS, T);
        float[] w = randn(r, B * T * C, 1); // padded outputs are weighted too: they must be exactly 0
        java.util.function.Supplier<float[]> fwd = () -> {
            Tensor z = garbage(B, T, C);
            be.gluMasked(g, mask, z);
            return h(z);
        };
        float[] z = fwd.get();
        GradCheck.forPadded(LENGTHS, T, C, i -> assertEquals(0f, z[i], "padded GLU output"));
        Tensor dg = garbage(B, T, 2 * C);
        be.gluMaskedBackward(t(w, B, T, C), g, mask, dg);
        float[] gg = h(dg);
        assertZeroAtPadded(gg, LENGTHS, T, 2 * C, "GLU dg");
        new GradCheck(be, 16, fwd, w).check("g", g, gg, 1e-2);
    }

    /** Dropout is linear in x with a mask fixed by the seed: backward must apply the same mask. */
    @Test
    void dropoutSameSeedMask() {
        Random r = new Random(8);
        int n = 200;
        float p = 0.4f;
        long seed = 987654321L;
        Tensor x = randn(be, r, 1, 20, 10);
        float[] w = randn(r, n, 1);
        java.util.function.Supplier<float[]> fwd = () -> {
            Tensor y = be.zeros(20, 10);
            be.dropout(x, p, seed, y);
            return h(y);
        };
        float[] y = fwd.get(), xv = h(x);
        int dropped = 0;
        for (int i = 0; i < n; i++) {
            if (y[i] == 0f) dropped++;
            else assertEquals(xv[i] / (1 - p), y[i], 1e-6);
        }
        assertTrue(dropped > 40 && dropped < 120, "dropped " + dropped + " of 200 at p = 0.4");
        Tensor dx = garbage(20, 10);
        be.dropoutBackward(t(w, 20, 10), p, seed, dx);
        new GradCheck(be, 17, fwd, w).check("x", x, h(dx), 1e-2);
        // in place
        Tensor x2 = t(xv.clone(), 20, 10);
        be.dropout(x2, p, seed, x2);
        assertArrayEquals(y, h(x2));
    }

    // ------------------------------------------------------------------ sequence ops

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 5})
    void depthwiseConv(int K) {
        Random r = new Random(9 + K);
        int Tc = 6; // K = 5 with T = 6 hits both edges
        Tensor z = randn(be, r, 1, B, Tc, C), wt = randn(be, r, 0.5, C, K);
        float[] w = randn(r, B * Tc * C, 1);
        java.util.function.Supplier<float[]> fwd = () -> {
            Tensor c = garbage(B, Tc, C);
            be.depthwiseConv(z, wt, c);
            return h(c);
        };
        // forward against the spec formula
        float[] c = fwd.get(), zv = h(z), wv = h(wt);
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < Tc; t++) {
                for (int ch = 0; ch < C; ch++) {
                    double s = 0;
                    for (int k = 0; k < K; k++) {
                        int src = t + k - (K - 1) / 2;
                        if (src >= 0 && src < Tc) s += (double) wv[ch * K + k] * zv[(b * Tc + src) * C + ch];
                    }
                    assertEquals(s, c[(b * Tc + t) * C + ch], 1e-5);
                }
            }
        }
        Tensor dz = garbage(B, Tc, C);
        float[] accW = randn(r, C * K, 1);
        Tensor dW = t(accW.clone(), C, K);
        be.depthwiseConvBackward(t(w, B, Tc, C), z, wt, dz, dW);
        new GradCheck(be, 18, fwd, w)
                .check("z", z, h(dz), 1e-2)
                .check("weight", wt, minus(h(dW), accW), 5e-3);
    }

    @Test
    void maskedMeanPool() {
        Random r = new Random(10);
        Tensor x = t(sequence(r, LENGTHS, T, C, 1, 1e5), B, T, C);
        SeqMask mask = be.mask(LENGTHS, T);
        float[] w = randn(r, B * C, 1);
        java.util.function.Supplier<float[]> fwd = () -> {
            Tensor o = garbage(B, C);
            be.maskedMeanPool(x, mask, o);
            return h(o);
        };
        float[] acc = randn(r, B * T * C, 1);
        Tensor dx = t(acc.clone(), B, T, C);
        be.maskedMeanPoolBackward(t(w, B, C), mask, dx);
        float[] g = minus(h(dx), acc);
        assertZeroAtPadded(g, LENGTHS, T, C, "mean pool dx (padded frames untouched)");
        new GradCheck(be, 19, fwd, w).check("x", x, g, 1e-2);
    }

    // ------------------------------------------------------------------ attention

    /**
     * The relative-position attention core, gradient w.r.t. q, k, v, pos, u and v_bias. Padded frames of
     * q, k and v hold garbage; L weights the valid query rows. With {@code dropout > 0} every evaluation
     * uses the same seed, so the check also shows that backward regenerates the forward's mask.
     */
    @ParameterizedTest
    @ValueSource(floats = {0f, 0.3f})
    void relPosAttentionCore(float dropout) {
        Random r = new Random(20);
        int H = 2, dh = C / H;
        long seed = 424242L;
        SeqMask mask = be.mask(LENGTHS, T);
        Tensor q = t(sequence(r, LENGTHS, T, C, 0.8, 50), B, T, C);
        Tensor k = t(sequence(r, LENGTHS, T, C, 0.8, 50), B, T, C);
        Tensor v = t(sequence(r, LENGTHS, T, C, 1.0, 1e4), B, T, C);
        Tensor pos = randn(be, r, 0.8, 2 * T - 1, C);
        Tensor u = randn(be, r, 0.5, H, dh), vb = randn(be, r, 0.5, H, dh);
        float[] w = validWeights(r, LENGTHS, T, C);
        java.util.function.Supplier<float[]> fwd = () -> {
            Tensor probs = be.zeros(B, H, T, T), ctx = garbage(B, T, C);
            be.relPosAttention(new AttentionInputs(q, k, v, pos, u, vb), H, mask, new AttentionSaved(probs, dropout, seed),
                    ctx);
            return h(ctx);
        };
        Tensor probs = be.zeros(B, H, T, T), ctx = be.zeros(B, T, C);
        be.relPosAttention(new AttentionInputs(q, k, v, pos, u, vb), H, mask, new AttentionSaved(probs, dropout, seed),
                ctx);
        checkProbs(h(probs), H);
        Tensor dq = garbage(B, T, C), dk = garbage(B, T, C), dv = garbage(B, T, C), dPos = garbage(2 * T - 1, C);
        float[] accU = randn(r, C, 1), accV = randn(r, C, 1);
        Tensor dU = t(accU.clone(), H, dh), dVb = t(accV.clone(), H, dh);
        be.relPosAttentionBackward(t(w, B, T, C), new AttentionInputs(q, k, v, pos, u, vb), H, mask,
                new AttentionSaved(probs, dropout, seed), new AttentionGrads(dq, dk, dv, dPos, dU, dVb));
        float[] gq = h(dq), gk = h(dk), gv = h(dv);
        assertZeroAtPadded(gq, LENGTHS, T, C, "dq (padded queries carry no loss)");
        assertZeroAtPadded(gk, LENGTHS, T, C, "dk (masked keys)");
        assertZeroAtPadded(gv, LENGTHS, T, C, "dv (masked keys)");
        new GradCheck(be, 21, fwd, w)
                .check("q", q, gq, 1e-2)
                .check("k", k, gk, 1e-2)
                .check("v", v, gv, 1e-2)
                .check("pos", pos, h(dPos), 1e-2)
                .check("u", u, minus(h(dU), accU), 1e-2)
                .check("v_bias", vb, minus(h(dVb), accV), 1e-2);
    }

    /** Saved probabilities: rows sum to 1 over valid keys, exactly 0 at masked keys. */
    private static void checkProbs(float[] p, int H) {
        for (int b = 0; b < B; b++) {
            for (int hh = 0; hh < H; hh++) {
                for (int i = 0; i < T; i++) {
                    double s = 0;
                    for (int j = 0; j < T; j++) {
                        float a = p[((b * H + hh) * T + i) * T + j];
                        if (j >= LENGTHS[b]) assertEquals(0f, a, "masked key prob");
                        s += a;
                    }
                    assertEquals(1.0, s, 1e-5);
                }
            }
        }
    }

    // ------------------------------------------------------------------ losses

    /** Cross-entropy against the first argmax of each target row (ties included), with scale. */
    @Test
    void crossEntropyArgmax() {
        Random r = new Random(30);
        int n = 4, K = 5;
        Tensor logits = randn(be, r, 1.5, n, K);
        float[] y = {0, 1, 0, 1, 0, // tie: class 1 (the first maximum)
                0.1f, 0.2f, 0.6f, 0.05f, 0.05f, // soft: class 2
                0, 0, 0, 0, 1,
                0.3f, 0.3f, 0.3f, 0.05f, 0.05f}; // three-way tie: class 0
        Tensor targets = t(y, n, K);
        java.util.function.DoubleSupplier fwd = () -> be.crossEntropyArgmax(logits, targets, 1f, be.zeros(n, K));
        Tensor d = garbage(n, K);
        double loss = be.crossEntropyArgmax(logits, targets, 1f, d);
        float[] lv = h(logits);
        int[] target = {1, 2, 4, 0};
        double ref = 0;
        for (int i = 0; i < n; i++) {
            double lse = 0;
            for (int c = 0; c < K; c++) lse += Math.exp(lv[i * K + c]);
            ref += Math.log(lse) - lv[i * K + target[i]];
        }
        assertEquals(ref / n, loss, 1e-6);
        GradCheck.scalar(be, 31, fwd).check("logits", logits, h(d), 1e-2);
        Tensor d2 = be.zeros(n, K);
        be.crossEntropyArgmax(logits, targets, 2.5f, d2);
        assertScaled(h(d), h(d2), 2.5);
    }

    @Test
    void cccLoss() {
        Random r = new Random(32);
        int n = 5, K = 3;
        Tensor pred = randn(be, r, 1, n, K);
        float[] yv = randn(r, n * K, 1);
        for (int i = 0; i < n; i++) yv[i * K + 1] += 0.7f * h(pred)[i * K + 1]; // a correlated attribute
        Tensor targets = t(yv, n, K);
        java.util.function.DoubleSupplier fwd = () -> be.cccLoss(pred, targets, 1f, be.zeros(n, K));
        Tensor d = garbage(n, K);
        double loss = be.cccLoss(pred, targets, 1f, d);
        assertEquals(cccRef(h(pred), yv, n, K), loss, 1e-6);
        GradCheck.scalar(be, 33, fwd).check("pred", pred, h(d), 1e-2);
        Tensor d2 = be.zeros(n, K);
        be.cccLoss(pred, targets, 3f, d2);
        assertScaled(h(d), h(d2), 3);
    }

    /**
     * Spec §9: an attribute whose CCC denominator is 0 (constant predictions equal to constant labels)
     * adds exactly 1 to the loss with zero gradient, never NaN; the other attributes are unaffected.
     * With constant labels the CCC stays 0 for any prediction, so L stays continuous there and the
     * finite difference along that column is 0 too.
     */
    @Test
    void cccZeroDenominator() {
        Random r = new Random(34);
        int n = 4, K = 3;
        float[] pv = randn(r, n * K, 1), yv = randn(r, n * K, 1);
        for (int i = 0; i < n; i++) {
            pv[i * K + 2] = 0.5f; // constant prediction ...
            yv[i * K + 2] = 0.5f; // ... equal to constant labels: denominator exactly 0
        }
        Tensor pred = t(pv, n, K), targets = t(yv, n, K);
        Tensor d = garbage(n, K);
        double loss = be.cccLoss(pred, targets, 1f, d);
        float[] g = h(d);
        assertAllFinite(g, "dPred");
        assertTrue(Double.isFinite(loss));
        for (int i = 0; i < n; i++) assertEquals(0f, g[i * K + 2], "zero gradient for the degenerate attribute");
        // loss = (1 − ccc_0) + (1 − ccc_1) + 1
        float[] p01 = new float[n * 2], y01 = new float[n * 2];
        for (int i = 0; i < n; i++) {
            System.arraycopy(pv, i * K, p01, i * 2, 2);
            System.arraycopy(yv, i * K, y01, i * 2, 2);
        }
        assertEquals(cccRef(p01, y01, n, 2) + 1.0, loss, 1e-6);
        java.util.function.DoubleSupplier fwd = () -> be.cccLoss(pred, targets, 1f, be.zeros(n, K));
        GradCheck.scalar(be, 35, fwd).check("pred", pred, g, 1e-2);

        // everything constant: every attribute degenerate, loss = K, all gradients 0
        float[] c = new float[n * K];
        Arrays.fill(c, -1.25f);
        Tensor dd = garbage(n, K);
        assertEquals(K, be.cccLoss(t(c, n, K), t(c.clone(), n, K), 1f, dd), 0.0);
        assertArrayEquals(new float[n * K], h(dd));
    }

    private static double cccRef(float[] p, float[] y, int n, int K) {
        double loss = 0;
        for (int c = 0; c < K; c++) {
            double mp = 0, my = 0;
            for (int i = 0; i < n; i++) {
                mp += p[i * K + c] / (double) n;
                my += y[i * K + c] / (double) n;
            }
            double vp = 0, vy = 0, cov = 0;
            for (int i = 0; i < n; i++) {
                vp += Math.pow(p[i * K + c] - mp, 2) / n;
                vy += Math.pow(y[i * K + c] - my, 2) / n;
                cov += (p[i * K + c] - mp) * (y[i * K + c] - my) / n;
            }
            loss += 1 - 2 * cov / (vp + vy + (mp - my) * (mp - my));
        }
        return loss;
    }

    @Test
    void mseLoss() {
        Random r = new Random(36);
        int n = 3, D = 6;
        Tensor pred = randn(be, r, 1, n, D), target = randn(be, r, 1, n, D);
        java.util.function.DoubleSupplier fwd = () -> be.mseLoss(pred, target, 1f, be.zeros(n, D));
        Tensor d = garbage(n, D);
        double loss = be.mseLoss(pred, target, 1f, d);
        float[] pv = h(pred), tv = h(target);
        double ref = 0;
        for (int i = 0; i < pv.length; i++) ref += Math.pow(pv[i] - tv[i], 2) / pv.length;
        assertEquals(ref, loss, 1e-6);
        GradCheck.scalar(be, 37, fwd).check("pred", pred, h(d), 1e-2);
        Tensor d2 = be.zeros(n, D);
        be.mseLoss(pred, target, 2f, d2);
        assertScaled(h(d), h(d2), 2);
    }

    private static void assertScaled(float[] g1, float[] gs, double scale) {
        double tol = 1e-6 * Math.max(1, maxAbs(gs));
        for (int i = 0; i < g1.length; i++) assertEquals(scale * g1[i], gs[i], tol, "scaled gradient " + i);
    }

    private static float[] plusOne(float[] v) {
        for (int i = 0; i < v.length; i++) v[i] += 1f;
        return v;
    }
}
