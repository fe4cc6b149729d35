package dev.vavl4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.backend.AttentionGrads;
import dev.vavl4j.backend.AttentionInputs;
import dev.vavl4j.backend.AttentionSaved;
import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.SeqMask;
import dev.vavl4j.backend.Tensor;
import dev.vavl4j.backend.cpu.CpuBackend;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parity of the CUDA relative-position attention (cuda/attention.cu, run on the CPU emulator) with the
 * CPU reference: forward probabilities and context, and every backward output, with and without dropout.
 *
 * <p>Inputs the reference never reads are NaN here, so reading them shows: keys and values at padded
 * frames (j ≥ L), relative-position rows no valid key reaches, and saved probabilities at masked keys.
 * Padded <em>query</em> rows of q and dCtx are read by the reference (padded queries are computed like
 * any other), so they hold ordinary values. Outputs documented as overwritten (probs, ctx, dq, dk, dv,
 * dPos) are pre-filled with NaN; dU and dVBias are pre-filled with random values they must be added to.
 * Error per tensor: max|cuda − cpu| / max(max|cpu|, 1e-6); ≤ 1e-4 for outputs, ≤ 1e-3 for gradients.
 */
class CudaAttentionParityTest {
    private static final double OUT_TOL = 1e-4, GRAD_TOL = 1e-3;

    record Case(String name, int B, int T, int d, int heads, int[] lengths) {
        @Override
        public String toString() {
            return name + " (B " + B + ", T " + T + ", d " + d + ", H " + heads + ", L " + Arrays.toString(lengths) + ")";
        }
    }

    static Stream<Arguments> cases() {
        Case small = new Case("small", 3, 7, 16, 2, new int[] {7, 1, 4});
        Case odd = new Case("odd", 3, 33, 24, 3, new int[] {29, 1, 17});
        Case wide = new Case("wide heads", 2, 150, 96, 2, new int[] {131, 150});
        return Stream.of(small, odd, wide)
                .flatMap(c -> Stream.of(Arguments.of(c, 0f), Arguments.of(c, 0.25f)));
    }

    @ParameterizedTest(name = "{0}, dropout {1}")
    @MethodSource("cases")
    void matchesCpu(Case c, float dropout) {
        try (Backend gpu = EmulatedCuda.backend(); Backend cpu = new CpuBackend()) {
            check(c, dropout, 0x5EEDL + c.T, gpu, cpu);
        }
    }

    private static void check(Case c, float dropout, long seed, Backend gpu, Backend cpu) {
        int B = c.B, T = c.T, d = c.d, H = c.heads, dh = d / H, P = 2 * T - 1;
        Random r = new Random(1234 + 31L * T + (dropout > 0 ? 7 : 0));
        int maxL = Arrays.stream(c.lengths).max().orElseThrow();

        float[] q = randn(r, B * T * d, 1.0);
        float[] k = randn(r, B * T * d, 1.0);
        float[] v = randn(r, B * T * d, 1.0);
        nanAtPadded(k, c.lengths, T, d);
        nanAtPadded(v, c.lengths, T, d);
        float[] pos = randn(r, P * d, 0.8);
        // Row (i − j) + T − 1 with j < maxL is at least T − maxL: the rows below are never read.
        Arrays.fill(pos, 0, (T - maxL) * d, Float.NaN);
        float[] u = randn(r, d, 0.5), vb = randn(r, d, 0.5);

        // ------------------------------------------------------------------ forward
        float[][] fwdGpu = forward(gpu, c, dropout, seed, q, k, v, pos, u, vb);
        float[][] fwdCpu = forward(cpu, c, dropout, seed, q, k, v, pos, u, vb);
        assertClose("probs", fwdGpu[0], fwdCpu[0], OUT_TOL);
        assertClose("ctx", fwdGpu[1], fwdCpu[1], OUT_TOL);
        for (int b = 0; b < B; b++) {
            for (int i = 0; i < H * T; i++) {
                int row = (b * H * T + i) * T;
                for (int j = c.lengths[b]; j < T; j++) assertEquals(0f, fwdGpu[0][row + j], "masked key prob");
            }
        }
        if (dropout > 0) {
            // The dropout must actually bite: ctx differs from the undropped one.
            float[][] plain = forward(gpu, c, 0f, seed, q, k, v, pos, u, vb);
            assertTrue(maxAbsDiff(plain[1], fwdGpu[1]) > 1e-2, "dropout changed nothing");
        }

        // ------------------------------------------------------------------ backward
        // Same saved probabilities for both (the reference's), NaN where the backward must not look.
        float[] probs = fwdCpu[0].clone();
        for (int b = 0; b < B; b++) {
            for (int i = 0; i < H * T; i++) {
                int row = (b * H * T + i) * T;
                Arrays.fill(probs, row + c.lengths[b], row + T, Float.NaN);
            }
        }
        float[] dCtx = randn(r, B * T * d, 1.0);
        float[] accU = randn(r, d, 1.0), accV = randn(r, d, 1.0);
        float[][] g = backward(gpu, c, dropout, seed, dCtx, q, k, v, pos, u, vb, probs, accU, accV);
        float[][] e = backward(cpu, c, dropout, seed, dCtx, q, k, v, pos, u, vb, probs, accU, accV);
        String[] names = {"dq", "dk", "dv", "dPos", "dU", "dVBias"};
        for (int n = 0; n < names.length; n++) assertClose(names[n], g[n], e[n], GRAD_TOL);
        // The accumulated part must be there (not overwritten) and the added part non-trivial.
        assertTrue(maxAbsDiff(g[4], accU) > 1e-3 && maxAbsDiff(g[5], accV) > 1e-3, "dU/dVBias gained nothing");
        assertClose("dU - acc", minus(g[4], accU), minus(e[4], accU), GRAD_TOL);
        assertClose("dVBias - acc", minus(g[5], accV), minus(e[5], accV), GRAD_TOL);
    }

    private static float[][] forward(Backend be, Case c, float dropout, long seed, float[] q, float[] k, float[] v,
                                     float[] pos, float[] u, float[] vb) {
        int B = c.B, T = c.T, d = c.d, H = c.heads;
        SeqMask mask = be.mask(c.lengths, T);
        Tensor probs = nan(be, B, H, T, T), ctx = nan(be, B, T, d);
        be.relPosAttention(new AttentionInputs(be.fromHost(q, B, T, d), be.fromHost(k, B, T, d),
                be.fromHost(v, B, T, d), be.fromHost(pos, 2 * T - 1, d), be.fromHost(u, H, d / H),
                be.fromHost(vb, H, d / H)), H, mask, new AttentionSaved(probs, dropout, seed), ctx);
        return new float[][] {be.toHost(probs), be.toHost(ctx)};
    }

    private static float[][] backward(Backend be, Case c, float dropout, long seed, float[] dCtx, float[] q,
                                      float[] k, float[] v, float[] pos, float[] u, float[] vb, float[] probs,
                                      float[] accU, float[] accV) {
        int B = c.B, T = c.T, d = c.d, H = c.heads, dh = d / H;
        SeqMask mask = be.mask(c.lengths, T);
        Tensor dq = nan(be, B, T, d), dk = nan(be, B, T, d), dv = nan(be, B, T, d), dPos = nan(be, 2 * T - 1, d);
        Tensor dU = be.fromHost(accU.clone(), H, dh), dVb = be.fromHost(accV.clone(), H, dh);
        be.relPosAttentionBackward(be.fromHost(dCtx, B, T, d), new AttentionInputs(be.fromHost(q, B, T, d),
                be.fromHost(k, B, T, d), be.fromHost(v, B, T, d), be.fromHost(pos, 2 * T - 1, d),
                be.fromHost(u, H, dh), be.fromHost(vb, H, dh)), H, mask,
                new AttentionSaved(be.fromHost(probs, B, H, T, T), dropout, seed),
                new AttentionGrads(dq, dk, dv, dPos, dU, dVb));
        return new float[][] {be.toHost(dq), be.toHost(dk), be.toHost(dv), be.toHost(dPos), be.toHost(dU),
                be.toHost(dVb)};
    }

    /** Shape checks reject a wrong probs size before launching anything. */
    @Test
    void rejectsWrongShapes() {
        try (Backend gpu = EmulatedCuda.backend()) {
            int B = 2, T = 3, d = 4, H = 2;
            SeqMask mask = gpu.mask(new int[] {3, 2}, T);
            Tensor x = gpu.zeros(B, T, d), pos = gpu.zeros(2 * T - 1, d), u = gpu.zeros(H, d / H);
            Tensor badProbs = gpu.zeros(B, H, T, T + 1), ctx = gpu.zeros(B, T, d);
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> gpu.relPosAttention(new AttentionInputs(x, x, x, pos, u, u), H, mask,
                            new AttentionSaved(badProbs, 0f, 1L), ctx));
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> gpu.relPosAttention(new AttentionInputs(x, x, x, pos, u, u), 3, mask,
                            new AttentionSaved(gpu.zeros(B, 3, T, T), 0f, 1L), ctx));
        }
    }

    // ------------------------------------------------------------------ helpers

    private static Tensor nan(Backend be, int... shape) {
        Tensor t = be.zeros(shape);
        be.fill(t, Float.NaN);
        return t;
    }

    private static float[] randn(Random r, int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian() * scale);
        return x;
    }

    private static void nanAtPadded(float[] x, int[] lengths, int T, int d) {
        for (int b = 0; b < lengths.length; b++) {
            Arrays.fill(x, (b * T + lengths[b]) * d, (b + 1) * T * d, Float.NaN);
        }
    }

    private static float[] minus(float[] a, float[] b) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i] - b[i];
        return out;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs((double) a[i] - b[i]));
        return m;
    }

    /** Fails on NaN anywhere (NaN never compares ≤). */
    private static void assertClose(String what, float[] actual, float[] expected, double tol) {
        assertEquals(expected.length, actual.length, what + " length");
        double maxRef = 0, maxErr = 0;
        int worst = -1;
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Float.isFinite(expected[i]), what + ": reference not finite at " + i);
            assertTrue(Float.isFinite(actual[i]), what + ": " + actual[i] + " at " + i + " (reference " + expected[i] + ")");
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
            double err = Math.abs((double) actual[i] - expected[i]);
            if (err > maxErr) {
                maxErr = err;
                worst = i;
            }
        }
        double rel = maxErr / Math.max(maxRef, 1e-6);
        final int w = worst;
        assertTrue(rel <= tol, () -> what + ": relative error " + rel + " > " + tol + " (worst at " + w + ": "
                + actual[w] + " vs " + expected[w] + ")");
    }
}
