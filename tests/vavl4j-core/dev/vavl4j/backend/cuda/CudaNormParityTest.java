package dev.vavl4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.backend.BatchStats;
import dev.vavl4j.backend.LayerNormStats;
import dev.vavl4j.backend.NormAffine;
import dev.vavl4j.backend.NormAffineGrads;
import dev.vavl4j.backend.SeqMask;
import dev.vavl4j.backend.Tensor;
import dev.vavl4j.backend.cpu.CpuBackend;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * LayerNorm and masked BatchNorm + swish: the CUDA backend (on the CPU emulator) against the CPU
 * reference, on column counts that are not multiples of the block sizes, unequal lengths including 1 and
 * T, NaN in padded frames the ops ignore, accumulated gradients pre-filled with random values and
 * overwritten ones with garbage.
 */
class CudaNormParityTest {
    static final double OUT_TOL = 1e-4, GRAD_TOL = 1e-3;

    @ParameterizedTest
    @CsvSource({"21, 19", "7, 37", "50, 130", "1, 1"})
    void layerNormMatchesCpu(int rows, int cols) {
        Random r = new Random(rows * 131 + cols);
        float[] x = randn(r, rows * cols, 2f, 0.5f), w = randn(r, cols, 1f, 1f), b = randn(r, cols, 0.5f, 0f);
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor[] y = new Tensor[2], mean = new Tensor[2], rstd = new Tensor[2];
            for (int i = 0; i < 2; i++) {
                var be = i == 0 ? cpu : gpu;
                y[i] = be.fromHost(garbage(rows * cols), rows, cols);
                mean[i] = be.fromHost(garbage(rows), rows);
                rstd[i] = be.fromHost(garbage(rows), rows);
                be.layerNorm(be.fromHost(x, rows, cols), new NormAffine(be.fromHost(w, cols), be.fromHost(b, cols)),
                        1e-5f, y[i], new LayerNormStats(mean[i], rstd[i]));
            }
            assertClose("y", cpu.toHost(y[0]), gpu.toHost(y[1]), OUT_TOL);
            assertClose("mean", cpu.toHost(mean[0]), gpu.toHost(mean[1]), OUT_TOL);
            assertClose("rstd", cpu.toHost(rstd[0]), gpu.toHost(rstd[1]), OUT_TOL);
        }
    }

    @ParameterizedTest
    @CsvSource({"21, 19", "9, 37", "40, 70"})
    void residualLayerNormMatchesCpu(int rows, int cols) {
        Random r = new Random(rows * 17 + cols);
        float[] x = randn(r, rows * cols, 1f, 0.3f), br = randn(r, rows * cols, 1f, -0.2f);
        float[] w = randn(r, cols, 1f, 1f), b = randn(r, cols, 0.5f, 0f);
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor[] sum = new Tensor[2], y = new Tensor[2], mean = new Tensor[2], rstd = new Tensor[2];
            for (int i = 0; i < 2; i++) {
                var be = i == 0 ? cpu : gpu;
                sum[i] = be.fromHost(garbage(rows * cols), rows, cols);
                y[i] = be.fromHost(garbage(rows * cols), rows, cols);
                mean[i] = be.fromHost(garbage(rows), rows);
                rstd[i] = be.fromHost(garbage(rows), rows);
                be.residualLayerNorm(be.fromHost(x, rows, cols), be.fromHost(br, rows, cols), 0.5f,
                        new NormAffine(be.fromHost(w, cols), be.fromHost(b, cols)), 1e-5f, sum[i], y[i],
                        new LayerNormStats(mean[i], rstd[i]));
            }
            assertClose("sum", cpu.toHost(sum[0]), gpu.toHost(sum[1]), OUT_TOL);
            assertClose("y", cpu.toHost(y[0]), gpu.toHost(y[1]), OUT_TOL);
            assertClose("mean", cpu.toHost(mean[0]), gpu.toHost(mean[1]), OUT_TOL);
            assertClose("rstd", cpu.toHost(rstd[0]), gpu.toHost(rstd[1]), OUT_TOL);
        }
    }

    @ParameterizedTest
    @CsvSource({"21, 19", "7, 37", "300, 45", "1, 3"})
    void layerNormBackwardAccumulatesLikeCpu(int rows, int cols) {
        Random r = new Random(rows * 7 + cols);
        float[] x = randn(r, rows * cols, 1.5f, 0.4f), w = randn(r, cols, 1f, 1f), dy = randn(r, rows * cols, 1f, 0f);
        float[] dx0 = randn(r, rows * cols, 1f, 0f), dw0 = randn(r, cols, 1f, 0f), db0 = randn(r, cols, 1f, 0f);
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            // Saved statistics from the CPU forward, so both backwards see identical inputs.
            Tensor mean = cpu.zeros(rows), rstd = cpu.zeros(rows);
            cpu.layerNorm(cpu.fromHost(x, rows, cols), new NormAffine(cpu.fromHost(w, cols), cpu.zeros(cols)), 1e-5f,
                    cpu.zeros(rows, cols), new LayerNormStats(mean, rstd));
            float[] mu = cpu.toHost(mean), rs = cpu.toHost(rstd);
            Tensor[] dx = new Tensor[2], dw = new Tensor[2], db = new Tensor[2];
            for (int i = 0; i < 2; i++) {
                var be = i == 0 ? cpu : gpu;
                dx[i] = be.fromHost(dx0, rows, cols);
                dw[i] = be.fromHost(dw0, cols);
                db[i] = be.fromHost(db0, cols);
                be.layerNormBackward(be.fromHost(dy, rows, cols), be.fromHost(x, rows, cols), be.fromHost(w, cols),
                        new LayerNormStats(be.fromHost(mu, rows), be.fromHost(rs, rows)), dx[i],
                        new NormAffineGrads(dw[i], db[i]));
            }
            assertClose("dx", cpu.toHost(dx[0]), gpu.toHost(dx[1]), GRAD_TOL);
            assertClose("dWeight", cpu.toHost(dw[0]), gpu.toHost(dw[1]), GRAD_TOL);
            assertClose("dBias", cpu.toHost(db[0]), gpu.toHost(db[1]), GRAD_TOL);
            // The accumulation really added: subtracting the pre-fill leaves the bare gradient, not zero.
            float[] g = gpu.toHost(db[1]);
            double moved = 0;
            for (int c = 0; c < cols; c++) moved = Math.max(moved, Math.abs(g[c] - db0[c]));
            assertTrue(moved > 0, "dBias unchanged");
        }
    }

    @Test
    void layerNormBackwardIsDeterministic() {
        int rows = 700, cols = 37;
        Random r = new Random(5);
        float[] x = randn(r, rows * cols, 1f, 0f), w = randn(r, cols, 1f, 1f), dy = randn(r, rows * cols, 1f, 0f);
        try (CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor mean = gpu.zeros(rows), rstd = gpu.zeros(rows), xt = gpu.fromHost(x, rows, cols);
            Tensor wt = gpu.fromHost(w, cols), dyt = gpu.fromHost(dy, rows, cols);
            gpu.layerNorm(xt, new NormAffine(wt, gpu.zeros(cols)), 1e-5f, gpu.zeros(rows, cols),
                    new LayerNormStats(mean, rstd));
            float[][] dws = new float[2][];
            for (int k = 0; k < 2; k++) {
                Tensor dw = gpu.zeros(cols), db = gpu.zeros(cols);
                gpu.layerNormBackward(dyt, xt, wt, new LayerNormStats(mean, rstd), gpu.zeros(rows, cols),
                        new NormAffineGrads(dw, db));
                dws[k] = gpu.toHost(dw);
            }
            assertArrayEquals(dws[0], dws[1]);
        }
    }

    @ParameterizedTest
    @CsvSource({"3, 7, 37", "5, 40, 19", "1, 1, 3", "4, 90, 33"})
    void maskedBatchStatsIgnorePaddedFrames(int B, int T, int C) {
        Random r = new Random(B * 1000 + T * 10 + C);
        int[] lengths = lengths(r, B, T);
        float[] x = randn(r, B * T * C, 1.5f, 3f);
        nanPadded(x, lengths, T, C);
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor[] mean = new Tensor[2], var = new Tensor[2];
            for (int i = 0; i < 2; i++) {
                var be = i == 0 ? cpu : gpu;
                mean[i] = be.fromHost(garbage(C), C);
                var[i] = be.fromHost(garbage(C), C);
                be.maskedBatchStats(be.fromHost(x, B, T, C), be.mask(lengths, T), mean[i], var[i]);
            }
            assertClose("mean", cpu.toHost(mean[0]), gpu.toHost(mean[1]), OUT_TOL);
            assertClose("var", cpu.toHost(var[0]), gpu.toHost(var[1]), OUT_TOL);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 30})
    void updateRunningStatsMatchesCpu(int n) {
        int C = 37;
        Random r = new Random(n);
        float[] rm = randn(r, C, 1f, 0f), rv = pos(r, C), m = randn(r, C, 1f, 0f), v = pos(r, C);
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor[] rmt = new Tensor[2], rvt = new Tensor[2];
            for (int i = 0; i < 2; i++) {
                var be = i == 0 ? cpu : gpu;
                rmt[i] = be.fromHost(rm, C);
                rvt[i] = be.fromHost(rv, C);
                for (int step = 0; step < 3; step++) {
                    be.updateRunningStats(rmt[i], rvt[i], be.fromHost(m, C), be.fromHost(v, C), 0.1f, n);
                }
            }
            assertClose("runningMean", cpu.toHost(rmt[0]), gpu.toHost(rmt[1]), OUT_TOL);
            assertClose("runningVar", cpu.toHost(rvt[0]), gpu.toHost(rvt[1]), OUT_TOL);
        }
    }

    @ParameterizedTest
    @CsvSource({"3, 7, 37", "2, 5, 3"})
    void batchNormSwishMatchesCpu(int B, int T, int C) {
        Random r = new Random(B + T + C);
        float[] x = randn(r, B * T * C, 2f, 0.5f), m = randn(r, C, 1f, 0f), v = pos(r, C);
        float[] w = randn(r, C, 1f, 1f), b = randn(r, C, 0.5f, 0f);
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor[] bn = new Tensor[2], out = new Tensor[2];
            for (int i = 0; i < 2; i++) {
                var be = i == 0 ? cpu : gpu;
                bn[i] = be.fromHost(garbage(B * T * C), B, T, C);
                out[i] = be.fromHost(garbage(B * T * C), B, T, C);
                be.batchNormSwish(be.fromHost(x, B, T, C), new BatchStats(be.fromHost(m, C), be.fromHost(v, C)),
                        new NormAffine(be.fromHost(w, C), be.fromHost(b, C)), 1e-5f, bn[i], out[i]);
            }
            assertClose("bn", cpu.toHost(bn[0]), gpu.toHost(bn[1]), OUT_TOL);
            assertClose("out", cpu.toHost(out[0]), gpu.toHost(out[1]), OUT_TOL);
        }
    }

    @ParameterizedTest
    @CsvSource({"3, 7, 37", "5, 40, 19", "1, 1, 3", "4, 90, 33"})
    void batchNormSwishBackwardMatchesCpu(int B, int T, int C) {
        Random r = new Random(B * 31 + T * 7 + C);
        int[] lengths = lengths(r, B, T);
        float[] x = randn(r, B * T * C, 1.5f, 0.7f), w = randn(r, C, 1f, 1f), b = randn(r, C, 0.5f, 0f);
        float[] dOut = randn(r, B * T * C, 1f, 0f);
        float[] dw0 = randn(r, C, 1f, 0f), db0 = randn(r, C, 1f, 0f);
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            // Forward on the CPU for consistent saved tensors, then garbage in the padded frames.
            SeqMask cm = cpu.mask(lengths, T);
            Tensor xt = cpu.fromHost(x, B, T, C), mean = cpu.zeros(C), var = cpu.zeros(C);
            cpu.maskedBatchStats(xt, cm, mean, var);
            Tensor bnt = cpu.zeros(B, T, C);
            cpu.batchNormSwish(xt, new BatchStats(mean, var), new NormAffine(cpu.fromHost(w, C), cpu.fromHost(b, C)),
                    1e-5f, bnt, cpu.zeros(B, T, C));
            float[] mu = cpu.toHost(mean), vr = cpu.toHost(var), bn = cpu.toHost(bnt);
            nanPadded(x, lengths, T, C);
            nanPadded(bn, lengths, T, C);
            nanPadded(dOut, lengths, T, C);
            Tensor[] dx = new Tensor[2], dw = new Tensor[2], db = new Tensor[2];
            for (int i = 0; i < 2; i++) {
                var be = i == 0 ? cpu : gpu;
                dx[i] = be.fromHost(garbage(B * T * C), B, T, C);
                dw[i] = be.fromHost(dw0, C);
                db[i] = be.fromHost(db0, C);
                be.batchNormSwishBackward(be.fromHost(dOut, B, T, C), be.fromHost(x, B, T, C), be.fromHost(bn, B, T, C),
                        new BatchStats(be.fromHost(mu, C), be.fromHost(vr, C)), be.fromHost(w, C), 1e-5f,
                        be.mask(lengths, T), dx[i], new NormAffineGrads(dw[i], db[i]));
            }
            float[] gdx = gpu.toHost(dx[1]);
            for (int bb = 0; bb < B; bb++) {
                for (int t = lengths[bb]; t < T; t++) {
                    for (int c = 0; c < C; c++) assertEquals(0f, gdx[(bb * T + t) * C + c], "dx at padded frame");
                }
            }
            assertClose("dx", cpu.toHost(dx[0]), gdx, GRAD_TOL);
            assertClose("dWeight", cpu.toHost(dw[0]), gpu.toHost(dw[1]), GRAD_TOL);
            assertClose("dBias", cpu.toHost(db[0]), gpu.toHost(db[1]), GRAD_TOL);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Lengths in [1, T] with the first T and the second 1 (when there are two samples). */
    static int[] lengths(Random r, int B, int T) {
        int[] l = new int[B];
        for (int b = 0; b < B; b++) l[b] = b == 0 ? T : b == 1 ? 1 : 1 + r.nextInt(T);
        return l;
    }

    static void nanPadded(float[] x, int[] lengths, int T, int C) {
        for (int b = 0; b < lengths.length; b++) {
            for (int i = (b * T + lengths[b]) * C; i < (b + 1) * T * C; i++) x[i] = (i & 1) == 0 ? Float.NaN : 1e30f;
        }
    }

    static float[] randn(Random r, int n, float scale, float shift) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextGaussian() * scale + shift);
        return v;
    }

    static float[] pos(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = 0.1f + 2f * r.nextFloat();
        return v;
    }

    static float[] garbage(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (i % 3 == 0) ? Float.NaN : -7.5e8f;
        return v;
    }

    /** max|a − b| / max(max|expected|, 1e-6) ≤ tol, and no NaN anywhere. */
    static void assertClose(String what, float[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length, what + ": length");
        double maxRef = 0, maxDiff = 0;
        int worst = -1;
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Float.isFinite(expected[i]), what + ": CPU reference not finite at " + i + ": " + expected[i]);
            assertTrue(Float.isFinite(actual[i]), what + ": not finite at " + i + ": " + actual[i]);
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
            double d = Math.abs((double) expected[i] - actual[i]);
            if (d > maxDiff) {
                maxDiff = d;
                worst = i;
            }
        }
        double rel = maxDiff / Math.max(maxRef, 1e-6);
        assertTrue(rel <= tol, what + ": relative error " + rel + " > " + tol + " (at " + worst + ": expected "
                + (worst < 0 ? 0 : expected[worst]) + ", got " + (worst < 0 ? 0 : actual[worst]) + ")");
    }
}
