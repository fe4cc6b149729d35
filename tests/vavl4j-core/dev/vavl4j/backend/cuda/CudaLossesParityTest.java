package dev.vavl4j.backend.cuda;

import static dev.vavl4j.backend.cuda.CudaElementwiseParityTest.assertClose;
import static dev.vavl4j.backend.cuda.CudaElementwiseParityTest.garbage;
import static dev.vavl4j.backend.cuda.CudaElementwiseParityTest.randn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.Tensor;
import dev.vavl4j.backend.cpu.CpuBackend;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Losses: the CUDA backend (on the CPU emulator) against the CPU reference — the loss as a double and the
 * scaled gradient (written over garbage), including the edge cases: ties in the target (first maximum),
 * saturated logits, a CCC column with a zero denominator (CCC 0, zero gradient), padded NaN in the
 * reconstruction input, and more partial sums than one block.
 */
class CudaLossesParityTest {
    static final double LOSS_TOL = 1e-7, GRAD_TOL = 1e-3;

    @ParameterizedTest
    @CsvSource({"9, 4, 0.5", "1, 1, 1", "300, 8, 2", "5, 33, 1"})
    void crossEntropyArgmaxMatchesCpu(int n, int C, float scale) {
        Random r = new Random(n * 13 + C);
        float[] logits = randn(r, n * C, 3f, 0f), targets = randn(r, n * C, 1f, 0f);
        if (C >= 3) {
            // ties: the first maximum is the target
            targets[1] = 5f;
            targets[2] = 5f;
            logits[0] = 80f;  // saturated softmax
            logits[C] = -80f;
        }
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            double[] loss = new double[2];
            Tensor[] d = new Tensor[2];
            for (int i = 0; i < 2; i++) {
                Backend be = i == 0 ? cpu : gpu;
                d[i] = be.fromHost(garbage(n * C), n, C);
                loss[i] = be.crossEntropyArgmax(be.fromHost(logits, n, C), be.fromHost(targets, n, C), scale, d[i]);
            }
            assertLoss(loss[0], loss[1]);
            assertClose("dLogits", cpu.toHost(d[0]), gpu.toHost(d[1]), GRAD_TOL);
        }
    }

    @Test
    void crossEntropyPicksTheFirstMaximumOfTies() {
        // Two rows whose targets tie between classes 1 and 2: the loss is −log softmax(logits)[1].
        float[] logits = {0f, 1f, 2f, 0.5f, -1f, 3f}, targets = {0f, 1f, 1f, 0.2f, 0.7f, 0.7f};
        try (CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor d = gpu.zeros(2, 3);
            double loss = gpu.crossEntropyArgmax(gpu.fromHost(logits, 2, 3), gpu.fromHost(targets, 2, 3), 1f, d);
            double l0 = Math.log(Math.exp(0) + Math.exp(1) + Math.exp(2)) - 1;
            double l1 = Math.log(Math.exp(0.5) + Math.exp(-1) + Math.exp(3)) + 1;
            assertEquals((l0 + l1) / 2, loss, 1e-6);
            float[] g = gpu.toHost(d);
            assertTrue(g[1] < 0 && g[2] > 0 && g[4] < 0 && g[5] > 0, "gradient pulls up class 1 only");
        }
    }

    @ParameterizedTest
    @CsvSource({"17, 3, 1", "1, 3, 0.5", "300, 5, 2", "64, 1, 1"})
    void cccMatchesCpu(int n, int C, float scale) {
        Random r = new Random(n * 3 + C);
        float[] pred = randn(r, n * C, 0.5f, 0.1f), y = randn(r, n * C, 0.7f, -0.2f);
        for (int i = 0; i < n * C; i++) pred[i] += 0.5f * y[i];  // correlated, as after some training
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            double[] loss = new double[2];
            Tensor[] d = new Tensor[2];
            for (int i = 0; i < 2; i++) {
                Backend be = i == 0 ? cpu : gpu;
                d[i] = be.fromHost(garbage(n * C), n, C);
                loss[i] = be.cccLoss(be.fromHost(pred, n, C), be.fromHost(y, n, C), scale, d[i]);
            }
            assertLoss(loss[0], loss[1]);
            assertClose("dPred", cpu.toHost(d[0]), gpu.toHost(d[1]), GRAD_TOL);
        }
    }

    @Test
    void cccZeroDenominatorCountsZeroWithZeroGradient() {
        int n = 11, C = 3;
        Random r = new Random(4);
        float[] pred = randn(r, n * C, 1f, 0f), y = randn(r, n * C, 1f, 0f);
        for (int row = 0; row < n; row++) {
            pred[row * C + 1] = 0.3f;  // column 1: constant predictions equal to constant labels
            y[row * C + 1] = 0.3f;
            pred[row * C + 2] = -0.7f;  // column 2: constant predictions only (denominator > 0)
        }
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            double[] loss = new double[2];
            Tensor[] d = new Tensor[2];
            for (int i = 0; i < 2; i++) {
                Backend be = i == 0 ? cpu : gpu;
                d[i] = be.fromHost(garbage(n * C), n, C);
                loss[i] = be.cccLoss(be.fromHost(pred, n, C), be.fromHost(y, n, C), 1f, d[i]);
            }
            assertLoss(loss[0], loss[1]);
            float[] g = gpu.toHost(d[1]);
            assertClose("dPred", cpu.toHost(d[0]), g, GRAD_TOL);
            for (int row = 0; row < n; row++) assertEquals(0f, g[row * C + 1], "zero-denominator column gradient");
            assertTrue(Double.isFinite(loss[1]));
        }
        // Everything constant: each attribute counts 1 − 0.
        try (CudaBackend gpu = EmulatedCuda.backend()) {
            float[] same = new float[n * C];
            java.util.Arrays.fill(same, 0.25f);
            Tensor d = gpu.fromHost(garbage(n * C), n, C);
            assertEquals(3.0, gpu.cccLoss(gpu.fromHost(same, n, C), gpu.fromHost(same, n, C), 1f, d));
            for (float v : gpu.toHost(d)) assertEquals(0f, v);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 37, 1000, 300_000})
    void mseMatchesCpu(int count) {
        Random r = new Random(count);
        float[] pred = randn(r, count, 1f, 0f), target = randn(r, count, 1f, 0.3f);
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            double[] loss = new double[2];
            Tensor[] d = new Tensor[2];
            for (int i = 0; i < 2; i++) {
                Backend be = i == 0 ? cpu : gpu;
                d[i] = be.fromHost(garbage(count), count);
                loss[i] = be.mseLoss(be.fromHost(pred, count), be.fromHost(target, count), 0.75f, d[i]);
            }
            assertLoss(loss[0], loss[1]);
            assertClose("dPred", cpu.toHost(d[0]), gpu.toHost(d[1]), GRAD_TOL);
        }
    }

    @ParameterizedTest
    @CsvSource({"3, 7, 16", "3, 7, 13", "1, 1, 1", "4, 50, 300"})
    void reconstructionMseMatchesCpu(int B, int T, int D) {
        int[] lengths = new int[B];
        for (int b = 0; b < B; b++) lengths[b] = b == 0 ? T : b == 1 ? 1 : Math.max(1, T * 4 / 7);
        Random r = new Random(B * 100 + T * 10 + D);
        float[] input = randn(r, B * T * D, 1f, 0.2f), recon = randn(r, B * D, 0.5f, 0.1f);
        for (int b = 0; b < B; b++) {
            for (int t = lengths[b]; t < T; t++) {
                for (int k = 0; k < D; k++) input[(b * T + t) * D + k] = Float.NaN;
            }
        }
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            double[] loss = new double[2];
            Tensor[] d = new Tensor[2];
            for (int i = 0; i < 2; i++) {
                Backend be = i == 0 ? cpu : gpu;
                d[i] = be.fromHost(garbage(B * D), B, D);
                loss[i] = be.reconstructionMse(be.fromHost(recon, B, D), be.fromHost(input, B, T, D),
                        be.mask(lengths, T), 1.5f, d[i]);
            }
            assertLoss(loss[0], loss[1]);
            assertClose("dRecon", cpu.toHost(d[0]), gpu.toHost(d[1]), GRAD_TOL);
        }
    }

    @Test
    void lossesLeaveNoTemporariesBehind() {
        int n = 9, C = 3;
        Random r = new Random(1);
        float[] a = randn(r, n * C, 1f, 0f), b = randn(r, n * C, 1f, 0f);
        try (CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor pa = gpu.fromHost(a, n, C), pb = gpu.fromHost(b, n, C), d = gpu.zeros(n, C);
            Tensor x = gpu.fromHost(randn(r, 2 * 5 * C, 1f, 0f), 2, 5, C), rec = gpu.zeros(2, C);
            var mask = gpu.mask(new int[] {5, 2}, 5);
            int before = gpu.blocksInUse();
            gpu.crossEntropyArgmax(pa, pb, 1f, d);
            gpu.cccLoss(pa, pb, 1f, d);
            gpu.mseLoss(pa, pb, 1f, d);
            gpu.reconstructionMse(rec, x, mask, 1f, gpu.zeros(2, C));
            assertEquals(before + 1, gpu.blocksInUse(), "only the explicit zeros(2, C) stays");
        }
    }

    static void assertLoss(double expected, double actual) {
        assertTrue(Double.isFinite(expected) && Double.isFinite(actual), "loss " + actual + " vs " + expected);
        assertEquals(expected, actual, LOSS_TOL * Math.max(1, Math.abs(expected)),
                "loss: expected " + expected + ", got " + actual);
    }
}
