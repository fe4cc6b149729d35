package dev.vavl4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.DropoutHash;
import dev.vavl4j.backend.Tensor;
import dev.vavl4j.backend.cpu.CpuBackend;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Elementwise, activation, dropout, padding, pooling and concat ops: the CUDA backend (on the CPU
 * emulator) against the CPU reference, on odd sizes, unequal lengths including 1 and T, NaN in padded
 * frames the ops must ignore, outputs pre-filled with garbage (overwrite) or random values (accumulate).
 */
class CudaElementwiseParityTest {
    static final double OUT_TOL = 1e-4, GRAD_TOL = 1e-3;
    static final int B = 3, T = 7;
    static final int[] LENGTHS = {7, 1, 4};

    // ------------------------------------------------------------------ dense elementwise

    @ParameterizedTest
    @CsvSource({"21, 19", "1, 1", "300, 45"})
    void fillMatchesCpu(int rows, int cols) {
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor a = cpu.fromHost(garbage(rows * cols), rows, cols), b = gpu.fromHost(garbage(rows * cols), rows, cols);
            cpu.fill(a, -3.25f);
            gpu.fill(b, -3.25f);
            assertArrayEquals(cpu.toHost(a), gpu.toHost(b));
        }
    }

    @ParameterizedTest
    @CsvSource({"21, 19", "1, 1", "300, 45", "7, 300"})
    void addBiasMatchesCpu(int rows, int cols) {
        Random r = new Random(rows * 31 + cols);
        float[] y = randn(r, rows * cols, 1f, 0f), bias = randn(r, cols, 1f, 0.5f);
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor[] out = new Tensor[2];
            for (int i = 0; i < 2; i++) {
                Backend be = i == 0 ? cpu : gpu;
                out[i] = be.fromHost(y, rows, cols);
                be.addBias(out[i], be.fromHost(bias, cols));
            }
            assertClose("y", cpu.toHost(out[0]), gpu.toHost(out[1]), OUT_TOL);
        }
    }

    @ParameterizedTest
    @CsvSource({"21, 19", "1, 1", "300, 45", "1000, 70", "5, 33"})
    void accumulateBiasGradAddsColumnSums(int rows, int cols) {
        Random r = new Random(rows * 7 + cols);
        float[] dy = randn(r, rows * cols, 1f, 0.1f), db0 = randn(r, cols, 1f, 0f);
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor[] db = new Tensor[2];
            for (int i = 0; i < 2; i++) {
                Backend be = i == 0 ? cpu : gpu;
                db[i] = be.fromHost(db0, cols);
                be.accumulateBiasGrad(be.fromHost(dy, rows, cols), db[i]);
            }
            assertClose("db", cpu.toHost(db[0]), gpu.toHost(db[1]), GRAD_TOL);
            assertMoved("db", db0, gpu.toHost(db[1]));
        }
    }

    @Test
    void accumulateBiasGradIsDeterministic() {
        int rows = 2000, cols = 37;
        float[] dy = randn(new Random(3), rows * cols, 1f, 0f);
        try (CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor dyt = gpu.fromHost(dy, rows, cols);
            float[][] runs = new float[2][];
            for (int k = 0; k < 2; k++) {
                Tensor db = gpu.zeros(cols);
                gpu.accumulateBiasGrad(dyt, db);
                runs[k] = gpu.toHost(db);
            }
            assertArrayEquals(runs[0], runs[1]);
        }
    }

    @ParameterizedTest
    @CsvSource({"21, 19", "1, 1", "300, 45"})
    void axpyAndScaleIntoMatchCpu(int rows, int cols) {
        Random r = new Random(rows + 11L * cols);
        float[] x = randn(r, rows * cols, 1f, 0f), y = randn(r, rows * cols, 1f, 0.3f);
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor[] ys = new Tensor[2], scaled = new Tensor[2], inPlace = new Tensor[2];
            for (int i = 0; i < 2; i++) {
                Backend be = i == 0 ? cpu : gpu;
                ys[i] = be.fromHost(y, rows, cols);
                be.axpy(-0.7f, be.fromHost(x, rows, cols), ys[i]);
                scaled[i] = be.fromHost(garbage(rows * cols), rows, cols);
                be.scaleInto(be.fromHost(x, rows, cols), 1.3f, scaled[i]);
                inPlace[i] = be.fromHost(x, rows, cols);
                be.scaleInto(inPlace[i], -2.5f, inPlace[i]);
            }
            assertClose("axpy", cpu.toHost(ys[0]), gpu.toHost(ys[1]), OUT_TOL);
            assertClose("scaleInto", cpu.toHost(scaled[0]), gpu.toHost(scaled[1]), OUT_TOL);
            assertClose("scaleInto in place", cpu.toHost(inPlace[0]), gpu.toHost(inPlace[1]), OUT_TOL);
        }
    }

    // ------------------------------------------------------------------ activations

    // Fused activation + dropout: p = 0.3 and eval mode p = 0; the same mask as the CPU, element for element.

    @ParameterizedTest
    @CsvSource({"21, 19, 0.3", "1, 1, 0.3", "300, 45, 0.3", "21, 19, 0", "300, 45, 0"})
    void biasSwishDropoutMatchesCpu(int rows, int cols, float p) {
        Random r = new Random(rows * 5 + cols);
        int n = rows * cols;
        long seed = 0xF00DL * n + 17;
        float[] pre = randn(r, n, 4f, 0f), bias = randn(r, cols, 1f, 0f);
        pre[0] = 90f;  // saturated both ways
        if (n > 1) pre[1] = -90f;
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor[] x = new Tensor[2], out = new Tensor[2];
            for (int i = 0; i < 2; i++) {
                Backend be = i == 0 ? cpu : gpu;
                x[i] = be.fromHost(pre, rows, cols);
                out[i] = be.fromHost(garbage(n), rows, cols);
                be.biasSwishDropout(x[i], be.fromHost(bias, cols), p, seed, out[i]);
            }
            assertArrayEquals(cpu.toHost(x[0]), gpu.toHost(x[1]), "pre += bias");
            float[] c = cpu.toHost(out[0]), g = gpu.toHost(out[1]);
            assertDropoutMask(c, g, p, seed);
            assertClose("out", c, g, OUT_TOL);
        }
    }

    @ParameterizedTest
    @CsvSource({"1, 0.3", "133, 0.3", "4000, 0.3", "133, 0", "4000, 0"})
    void swishDropoutBackwardMatchesCpu(int n, float p) {
        Random r = new Random(n);
        long seed = 0xBEEFL * n - 3;
        float[] dOut = randn(r, n, 1f, 2f), pre = randn(r, n, 4f, 0f);  // dOut mean 2: no kept value is 0
        pre[0] = -90f;
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor[] d = new Tensor[2];
            for (int i = 0; i < 2; i++) {
                Backend be = i == 0 ? cpu : gpu;
                d[i] = be.fromHost(garbage(n), n);
                be.swishDropoutBackward(be.fromHost(dOut, n), be.fromHost(pre, n), p, seed, d[i]);
            }
            float[] c = cpu.toHost(d[0]), g = gpu.toHost(d[1]);
            assertDropoutMask(c, g, p, seed);
            assertClose("dPre", c, g, GRAD_TOL);
        }
    }

    /** Bit for bit: bias add, ReLU and dropout are exact on both; −0 becomes +0 and NaN stays NaN, as Math.max. */
    @ParameterizedTest
    @CsvSource({"1, 1, 0.3", "21, 19, 0.3", "300, 45, 0.3", "21, 19, 0", "300, 45, 0"})
    void biasReluDropoutAndBackwardMatchCpuBitForBit(int rows, int cols, float p) {
        Random r = new Random(rows + 3L * cols);
        int n = rows * cols;
        long seed = 0xC0FFEEL + n;
        float[] pre = randn(r, n, 1f, 0f), bias = randn(r, cols, 0.5f, 0f), dOut = randn(r, n, 1f, 2f);
        bias[0] = -0f;
        pre[0] = -0f;  // −0 + −0 = −0, whose ReLU is +0
        if (rows > 1) pre[cols] = Float.NaN;
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor[] x = new Tensor[2], out = new Tensor[2], d = new Tensor[2];
            for (int i = 0; i < 2; i++) {
                Backend be = i == 0 ? cpu : gpu;
                x[i] = be.fromHost(pre, rows, cols);
                out[i] = be.fromHost(garbage(n), rows, cols);
                be.biasReluDropout(x[i], be.fromHost(bias, cols), p, seed, out[i]);
                d[i] = be.fromHost(garbage(n), rows, cols);
                be.reluDropoutBackward(be.fromHost(dOut, rows, cols), x[i], p, seed, d[i]);
            }
            assertArrayEquals(cpu.toHost(x[0]), gpu.toHost(x[1]), "pre += bias");
            float[] g = gpu.toHost(out[1]), gd = gpu.toHost(d[1]);
            assertArrayEquals(cpu.toHost(out[0]), g, "out");
            assertArrayEquals(cpu.toHost(d[0]), gd, "dPre");
            assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(g[0]), "relu(−0) is +0");
            float[] xs = gpu.toHost(x[1]);
            for (int i = 0; i < n; i++) {
                if (!(xs[i] > 0f)) assertEquals(0f, gd[i], "gradient through an inactive unit at " + i);
            }
            if (n >= 399) {  // both ReLU branches and both mask branches are taken
                int active = 0, dropped = 0;
                for (int i = 0; i < n; i++) {
                    if (xs[i] > 0f) active++;
                    if (xs[i] > 0f && g[i] == 0f) dropped++;
                }
                assertTrue(active > 0.3 * n && active < 0.7 * n, active + " of " + n + " units active");
                if (p == 0f) assertEquals(0, dropped, "p = 0 drops nothing");
                else assertTrue(dropped > 0.2 * active && dropped < 0.4 * active, dropped + " of " + active + " dropped");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {16, 13, 1})
    void gluMaskedMatchesCpuAndZeroesPaddedFrames(int C) {
        Random r = new Random(C);
        float[] g = withNaNPadded(randn(r, B * T * 2 * C, 2f, 0f), 2 * C);
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor[] z = new Tensor[2];
            for (int i = 0; i < 2; i++) {
                Backend be = i == 0 ? cpu : gpu;
                z[i] = be.fromHost(garbage(B * T * C), B, T, C);
                be.gluMasked(be.fromHost(g, B, T, 2 * C), be.mask(LENGTHS, T), z[i]);
            }
            float[] zc = cpu.toHost(z[0]), zg = gpu.toHost(z[1]);
            assertClose("z", zc, zg, OUT_TOL);
            assertPaddedZero("z", zg, C);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {16, 13, 1})
    void gluMaskedBackwardMatchesCpu(int C) {
        Random r = new Random(C + 100);
        float[] g = withNaNPadded(randn(r, B * T * 2 * C, 2f, 0f), 2 * C);
        float[] dz = withNaNPadded(randn(r, B * T * C, 1f, 0f), C);
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor[] dg = new Tensor[2];
            for (int i = 0; i < 2; i++) {
                Backend be = i == 0 ? cpu : gpu;
                dg[i] = be.fromHost(garbage(B * T * 2 * C), B, T, 2 * C);
                be.gluMaskedBackward(be.fromHost(dz, B, T, C), be.fromHost(g, B, T, 2 * C), be.mask(LENGTHS, T), dg[i]);
            }
            float[] dgg = gpu.toHost(dg[1]);
            assertClose("dg", cpu.toHost(dg[0]), dgg, GRAD_TOL);
            assertPaddedZero("dg", dgg, 2 * C);
        }
    }

    // ------------------------------------------------------------------ dropout

    @ParameterizedTest
    @ValueSource(ints = {1, 777, 5000})
    void dropoutMaskMatchesCpuBitForBit(int n) {
        float p = 0.3f;
        long seed = 0x5EEDL * n - 12345L;
        float[] x = randn(new Random(n), n, 1f, 2f);  // mean 2: no kept value is exactly zero by chance
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor[] out = new Tensor[2], inPlace = new Tensor[2], back = new Tensor[2];
            for (int i = 0; i < 2; i++) {
                Backend be = i == 0 ? cpu : gpu;
                out[i] = be.fromHost(garbage(n), n);
                be.dropout(be.fromHost(x, n), p, seed, out[i]);
                inPlace[i] = be.fromHost(x, n);
                be.dropout(inPlace[i], p, seed, inPlace[i]);
                back[i] = be.fromHost(garbage(n), n);
                be.dropoutBackward(be.fromHost(x, n), p, seed, back[i]);
            }
            float[] c = cpu.toHost(out[0]), g = gpu.toHost(out[1]);
            int dropped = 0;
            for (int i = 0; i < n; i++) {
                assertEquals(c[i] == 0f, g[i] == 0f, "mask differs at element " + i);
                if (g[i] == 0f) dropped++;
            }
            if (n >= 777) assertTrue(dropped > 0.2 * n && dropped < 0.4 * n, dropped + " of " + n + " dropped at p = 0.3");
            assertClose("dropout", c, g, OUT_TOL);
            assertArrayEquals(g, gpu.toHost(inPlace[1]), "in place");
            assertArrayEquals(g, gpu.toHost(back[1]), "backward regenerates the mask");
            assertArrayEquals(cpu.toHost(inPlace[0]), gpu.toHost(inPlace[1]));
        }
    }

    /** More elements than one grid-stride pass covers (8192 blocks × 256 threads): every element visited once. */
    @Test
    void gridStrideCoversLargeTensors() {
        int n = 8192 * 256 + 12_345;
        Random r = new Random(21);
        float[] x = randn(r, n, 1f, 2f), y = randn(r, n, 1f, 0f);
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor[] ys = new Tensor[2], drop = new Tensor[2];
            for (int i = 0; i < 2; i++) {
                Backend be = i == 0 ? cpu : gpu;
                ys[i] = be.fromHost(y, n);
                be.axpy(0.5f, be.fromHost(x, n), ys[i]);
                drop[i] = be.fromHost(garbage(n), n);
                be.dropout(be.fromHost(x, n), 0.3f, 77L, drop[i]);
            }
            assertArrayEquals(cpu.toHost(ys[0]), gpu.toHost(ys[1]));
            assertArrayEquals(cpu.toHost(drop[0]), gpu.toHost(drop[1]));
        }
    }

    @Test
    void dropoutWithZeroProbabilityCopies() {
        int n = 301;
        float[] x = randn(new Random(9), n, 1f, 0f);
        try (CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor out = gpu.fromHost(garbage(n), n), in = gpu.fromHost(x, n);
            gpu.dropout(in, 0f, 42L, out);
            assertArrayEquals(x, gpu.toHost(out));
            gpu.dropout(in, 0f, 42L, in);
            assertArrayEquals(x, gpu.toHost(in));
        }
    }

    // ------------------------------------------------------------------ sequence ops

    @ParameterizedTest
    @ValueSource(ints = {16, 13, 1})
    void zeroPaddedSelectsAwayNaNAndLeavesValidFrames(int C) {
        float[] x = withNaNPadded(randn(new Random(C + 7), B * T * C, 1f, 0f), C);
        for (int i = 0; i < x.length; i += 3) if (Float.isNaN(x[i])) x[i] = Float.POSITIVE_INFINITY;
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor a = cpu.fromHost(x, B, T, C), b = gpu.fromHost(x, B, T, C);
            cpu.zeroPadded(a, cpu.mask(LENGTHS, T));
            gpu.zeroPadded(b, gpu.mask(LENGTHS, T));
            float[] g = gpu.toHost(b);
            assertArrayEquals(cpu.toHost(a), g);
            assertPaddedZero("x", g, C);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {16, 13, 1, 70})
    void maskedMeanPoolIgnoresPaddedFrames(int C) {
        float[] x = withNaNPadded(randn(new Random(C + 3), B * T * C, 1f, 0.5f), C);
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor[] out = new Tensor[2];
            for (int i = 0; i < 2; i++) {
                Backend be = i == 0 ? cpu : gpu;
                out[i] = be.fromHost(garbage(B * C), B, C);
                be.maskedMeanPool(be.fromHost(x, B, T, C), be.mask(LENGTHS, T), out[i]);
            }
            assertClose("pooled", cpu.toHost(out[0]), gpu.toHost(out[1]), OUT_TOL);
        }
    }

    @Test
    void maskedMeanPoolOnLongSequences() {
        int b = 2, t = 300, c = 45;
        int[] lengths = {300, 173};
        float[] x = randn(new Random(17), b * t * c, 1f, 0.2f);
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor[] out = new Tensor[2];
            for (int i = 0; i < 2; i++) {
                Backend be = i == 0 ? cpu : gpu;
                out[i] = be.zeros(b, c);
                be.maskedMeanPool(be.fromHost(x, b, t, c), be.mask(lengths, t), out[i]);
            }
            assertClose("pooled", cpu.toHost(out[0]), gpu.toHost(out[1]), OUT_TOL);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {16, 13, 1})
    void maskedMeanPoolBackwardAccumulatesAtValidFramesOnly(int C) {
        Random r = new Random(C + 5);
        float[] dOut = randn(r, B * C, 1f, 0f), dx0 = randn(r, B * T * C, 1f, 0f);
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor[] dx = new Tensor[2];
            for (int i = 0; i < 2; i++) {
                Backend be = i == 0 ? cpu : gpu;
                dx[i] = be.fromHost(dx0, B, T, C);
                be.maskedMeanPoolBackward(be.fromHost(dOut, B, C), be.mask(LENGTHS, T), dx[i]);
            }
            float[] g = gpu.toHost(dx[1]);
            assertClose("dx", cpu.toHost(dx[0]), g, GRAD_TOL);
            for (int b = 0; b < B; b++) {
                for (int t = 0; t < T; t++) {
                    for (int c = 0; c < C; c++) {
                        int i = (b * T + t) * C + c;
                        if (t >= LENGTHS[b]) assertEquals(dx0[i], g[i], "padded frame touched at " + i);
                        else assertTrue(g[i] != dx0[i] || dOut[b * C + c] == 0f, "valid frame not accumulated at " + i);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"21, 5, 11", "1, 1, 1", "300, 16, 13"})
    void concatColumnsMatchesCpu(int rows, int ca, int cb) {
        Random r = new Random(rows + ca * 13L + cb);
        float[] a = randn(r, rows * ca, 1f, 0f), b = randn(r, rows * cb, 1f, 0f);
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor[] out = new Tensor[2];
            for (int i = 0; i < 2; i++) {
                Backend be = i == 0 ? cpu : gpu;
                out[i] = be.fromHost(garbage(rows * (ca + cb)), rows, ca + cb);
                be.concatColumns(be.fromHost(a, rows, ca), be.fromHost(b, rows, cb), out[i]);
            }
            assertArrayEquals(cpu.toHost(out[0]), gpu.toHost(out[1]));
            Tensor wrong = gpu.zeros(rows, ca + cb + 1);
            assertThrows(IllegalArgumentException.class,
                    () -> gpu.concatColumns(gpu.fromHost(a, rows, ca), gpu.fromHost(b, rows, cb), wrong));
        }
    }

    // ------------------------------------------------------------------ helpers

    static float[] randn(Random r, int n, float scale, float shift) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian() * scale + shift;
        return a;
    }

    /** Values an overwritten output must not keep. */
    static float[] garbage(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (i % 3 == 0) ? Float.NaN : 1e30f * (i % 2 == 0 ? 1 : -1);
        return a;
    }

    /** x [B, T, cols] with NaN at the padded frames of LENGTHS. */
    static float[] withNaNPadded(float[] x, int cols) {
        for (int b = 0; b < B; b++) {
            for (int t = LENGTHS[b]; t < T; t++) {
                for (int c = 0; c < cols; c++) x[(b * T + t) * cols + c] = Float.NaN;
            }
        }
        return x;
    }

    static void assertPaddedZero(String what, float[] x, int cols) {
        for (int b = 0; b < B; b++) {
            for (int t = LENGTHS[b]; t < T; t++) {
                for (int c = 0; c < cols; c++) {
                    int i = (b * T + t) * cols + c;
                    assertEquals(0f, x[i], what + ": padded frame (" + b + ", " + t + ") channel " + c + " not zero");
                }
            }
        }
    }

    /**
     * The elements that DropoutHash drops at (p, seed) are zero on both sides, and the others are not zero
     * on the CPU, nor on the GPU unless the CPU value is below float32 sigmoid's saturation there; at p = 0
     * nothing is dropped. Enough elements show a dropped fraction near p.
     */
    static void assertDropoutMask(float[] cpu, float[] gpu, float p, long seed) {
        int dropped = 0;
        for (int i = 0; i < cpu.length; i++) {
            boolean drop = p > 0f && DropoutHash.uniform(seed, i) < p;
            if (drop) dropped++;
            assertEquals(drop, cpu[i] == 0f, "CPU mask at element " + i);
            if (drop) assertTrue(gpu[i] == 0f, "GPU kept dropped element " + i + ": " + gpu[i]);
            else if (Math.abs(cpu[i]) > 1e-30f) assertTrue(gpu[i] != 0f, "GPU dropped kept element " + i);
        }
        if (cpu.length >= 100 && p > 0f) {
            assertTrue(dropped > (p - 0.1) * cpu.length && dropped < (p + 0.1) * cpu.length,
                    dropped + " of " + cpu.length + " dropped at p = " + p);
        }
    }

    static void assertMoved(String what, float[] before, float[] after) {
        double moved = 0;
        for (int i = 0; i < before.length; i++) moved = Math.max(moved, Math.abs(after[i] - before[i]));
        assertTrue(moved > 0, what + " unchanged: nothing was accumulated");
    }

    /** max|a − b| / max(max|b|, 1e-6) ≤ tol, with no NaN on either side. */
    static void assertClose(String what, float[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length, what + ": length");
        double maxRef = 0, maxDiff = 0;
        int worst = -1;
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Float.isFinite(expected[i]) && Float.isFinite(actual[i]),
                    what + ": non-finite at " + i + ": expected " + expected[i] + ", got " + actual[i]);
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
            double d = Math.abs(expected[i] - actual[i]);
            if (d > maxDiff) {
                maxDiff = d;
                worst = i;
            }
        }
        double rel = maxDiff / Math.max(maxRef, 1e-6);
        assertTrue(rel <= tol, what + ": relative error " + rel + " > " + tol + " (worst at " + worst + ": expected "
                + (worst < 0 ? 0 : expected[worst]) + ", got " + (worst < 0 ? 0 : actual[worst]) + ")");
    }
}
