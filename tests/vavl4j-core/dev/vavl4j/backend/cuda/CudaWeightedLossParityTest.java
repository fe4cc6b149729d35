package dev.vavl4j.backend.cuda;

import static dev.vavl4j.backend.cuda.CudaElementwiseParityTest.assertClose;
import static dev.vavl4j.backend.cuda.CudaElementwiseParityTest.garbage;
import static dev.vavl4j.backend.cuda.CudaElementwiseParityTest.randn;
import static dev.vavl4j.backend.cuda.CudaLossesParityTest.GRAD_TOL;
import static dev.vavl4j.backend.cuda.CudaLossesParityTest.assertLoss;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.Tensor;
import dev.vavl4j.backend.cpu.CpuBackend;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Class-weighted cross-entropy and sumOfSquares: the CUDA backend (on the CPU emulator) against the CPU
 * reference, with the tolerances of CudaLossesParityTest (loss 1e-7 relative, gradient 1e-3); weights all 1
 * against null weights bit for bit; shapes rejected before anything runs; sums of squares of sizes that are
 * not multiples of the block (256), of one element, and of more elements than the 1024 partial sums cover
 * in one grid pass; scaleInto in place.
 */
class CudaWeightedLossParityTest {
    /** sumOfSquares: both backends square and sum in double, in different orders. */
    static final double SUM_TOL = 1e-11;

    static float[] weights(Random r, int C) {
        float[] w = new float[C];
        for (int c = 0; c < C; c++) w[c] = (float) Math.exp(r.nextGaussian() * 1.2);
        return w;
    }

    @ParameterizedTest
    @CsvSource({"9, 4, 0.5", "1, 1, 1", "300, 8, 2", "5, 33, 1", "257, 3, 1.25"})
    void weightedCrossEntropyMatchesCpu(int n, int C, float scale) {
        Random r = new Random(n * 17 + C);
        float[] logits = randn(r, n * C, 3f, 0f), targets = randn(r, n * C, 1f, 0f), w = weights(r, C);
        if (C >= 3) {
            targets[1] = 5f;  // ties: the first maximum is the target
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
                loss[i] = be.crossEntropyArgmax(be.fromHost(logits, n, C), be.fromHost(targets, n, C),
                        be.fromHost(w, C), scale, d[i]);
            }
            assertLoss(loss[0], loss[1]);
            assertClose("dLogits", cpu.toHost(d[0]), gpu.toHost(d[1]), GRAD_TOL);
            // the weights matter: the unweighted loss of the same batch is another number
            if (C > 1) {
                double plain = gpu.crossEntropyArgmax(gpu.fromHost(logits, n, C), gpu.fromHost(targets, n, C), scale,
                        gpu.zeros(n, C));
                assertTrue(Math.abs(plain - loss[1]) > 1e-6, plain + " vs " + loss[1]);
            }
        }
    }

    @Test
    void weightedCrossEntropyByHand() {
        float[] logits = {1f, 2f, 0f, -1f, 0.5f, 2.5f}, targets = {1, 0, 0, 0, 0, 1}, w = {0.5f, 7f, 3f};
        double l0 = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(0)) - 1;
        double l1 = Math.log(Math.exp(-1) + Math.exp(0.5) + Math.exp(2.5)) - 2.5;
        try (CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor d = gpu.zeros(2, 3);
            double loss = gpu.crossEntropyArgmax(gpu.fromHost(logits, 2, 3), gpu.fromHost(targets, 2, 3),
                    gpu.fromHost(w, 3), 1f, d);
            assertEquals((0.5 * l0 + 3 * l1) / 3.5, loss, 1e-9);
            double p12 = Math.exp(2.5) / (Math.exp(-1) + Math.exp(0.5) + Math.exp(2.5));
            assertEquals(3 * (p12 - 1) / 3.5, gpu.toHost(d)[5], 1e-6);
        }
    }

    @ParameterizedTest
    @CsvSource({"9, 4, 1", "1, 1, 1", "300, 8, 0.75", "5, 33, 2"})
    void weightsAllOneAndNullGiveTheUnweightedBits(int n, int C, float scale) {
        Random r = new Random(n + 5L * C);
        float[] logits = randn(r, n * C, 4f, 0f), targets = randn(r, n * C, 1f, 0f), ones = new float[C];
        Arrays.fill(ones, 1f);
        try (CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor l = gpu.fromHost(logits, n, C), t = gpu.fromHost(targets, n, C);
            Tensor d4 = gpu.fromHost(garbage(n * C), n, C), dNull = gpu.fromHost(garbage(n * C), n, C),
                    dOnes = gpu.fromHost(garbage(n * C), n, C);
            double loss4 = gpu.crossEntropyArgmax(l, t, scale, d4);
            double lossNull = gpu.crossEntropyArgmax(l, t, null, scale, dNull);
            double lossOnes = gpu.crossEntropyArgmax(l, t, gpu.fromHost(ones, C), scale, dOnes);
            assertEquals(Double.doubleToRawLongBits(loss4), Double.doubleToRawLongBits(lossNull), "null-weight loss");
            assertArrayEquals(bits(gpu.toHost(d4)), bits(gpu.toHost(dNull)), "null-weight gradient");
            assertEquals(Double.doubleToRawLongBits(loss4), Double.doubleToRawLongBits(lossOnes), "weights-1 loss");
            assertArrayEquals(bits(gpu.toHost(d4)), bits(gpu.toHost(dOnes)), "weights-1 gradient");
        }
    }

    static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Float.floatToRawIntBits(v[i]);
        return b;
    }

    @Test
    void badWeightShapesAreRejectedBeforeAnythingRuns() {
        int n = 4, C = 3;
        try (CudaBackend gpu = EmulatedCuda.backend(); CpuBackend cpu = new CpuBackend()) {
            Tensor l = gpu.zeros(n, C), t = gpu.zeros(n, C), d = gpu.fromHost(garbage(n * C), n, C);
            for (int size : new int[] {C - 1, C + 1, 1}) {
                Tensor w = gpu.zeros(size);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> gpu.crossEntropyArgmax(l, t, w, 1f, d), "weights of size " + size);
                assertTrue(e.getMessage().contains("width mismatch"), e.getMessage());
            }
            assertThrows(IllegalArgumentException.class, () -> gpu.crossEntropyArgmax(l, t, cpu.zeros(C), 1f, d));
            assertThrows(IllegalArgumentException.class,
                    () -> gpu.crossEntropyArgmax(l, gpu.zeros(n, C + 1), gpu.zeros(C), 1f, d));
            assertThrows(IllegalArgumentException.class,
                    () -> gpu.crossEntropyArgmax(l, t, gpu.zeros(C), 1f, gpu.zeros(n + 1, C)));
            assertArrayEquals(bits(garbage(n * C)), bits(gpu.toHost(d)), "dLogits untouched by rejected calls");
        }
    }

    // ------------------------------------------------------------------ sum of squares

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 31, 255, 256, 257, 1000, 65_537, 262_143, 262_145, 3_000_000})
    void sumOfSquaresMatchesCpu(int count) {
        Random r = new Random(count * 7L);
        float[] x = randn(r, count, 1.5f, 0.25f);
        double host = 0;
        for (float v : x) host += (double) v * v;
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            double c = cpu.sumOfSquares(cpu.fromHost(x, count));
            double g = gpu.sumOfSquares(gpu.fromHost(x, count));
            assertEquals(c, g, SUM_TOL * c, "CUDA vs CPU, " + count + " elements");
            assertEquals(host, g, SUM_TOL * host, "CUDA vs host, " + count + " elements");
            // deterministic: a fixed grid and ordered partial sums
            assertEquals(Double.doubleToRawLongBits(g), Double.doubleToRawLongBits(gpu.sumOfSquares(gpu.fromHost(x, count))));
        }
    }

    @Test
    void sumOfSquaresEdgeCases() {
        try (CudaBackend gpu = EmulatedCuda.backend()) {
            assertEquals(0.0, gpu.sumOfSquares(gpu.zeros(0)));
            assertEquals(0.0, gpu.sumOfSquares(gpu.zeros(5, 7)));
            assertEquals(9.0, gpu.sumOfSquares(gpu.fromHost(new float[] {-3f}, 1)));
            assertEquals(2.0 * (double) 1e20f * (double) 1e20f, gpu.sumOfSquares(gpu.fromHost(new float[] {1e20f, -1e20f}, 2)), 0.0);  // squares in double
            assertEquals(14.0, gpu.sumOfSquares(gpu.fromHost(new float[] {1, 2, 3}, 1, 3, 1)));
            assertTrue(Double.isNaN(gpu.sumOfSquares(gpu.fromHost(new float[] {1f, Float.NaN, 2f}, 3))));
        }
    }

    @Test
    void newOpsLeaveNoTemporariesBehind() {
        int n = 9, C = 3;
        Random r = new Random(2);
        try (CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor l = gpu.fromHost(randn(r, n * C, 1f, 0f), n, C), t = gpu.fromHost(randn(r, n * C, 1f, 0f), n, C);
            Tensor w = gpu.fromHost(weights(r, C), C), d = gpu.zeros(n, C), x = gpu.fromHost(randn(r, 5000, 1f, 0f), 5000);
            int before = gpu.blocksInUse();
            gpu.crossEntropyArgmax(l, t, w, 1f, d);
            gpu.sumOfSquares(x);
            assertEquals(before, gpu.blocksInUse());
        }
    }

    // ------------------------------------------------------------------ scaleInto in place

    @ParameterizedTest
    @ValueSource(ints = {1, 257, 300_001})
    void scaleIntoIsSafeInPlace(int count) {
        Random r = new Random(count + 3L);
        float[] x = randn(r, count, 1f, 0f);
        float alpha = 0.37f;
        try (CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor t = gpu.fromHost(x, count);
            gpu.scaleInto(t, alpha, t);
            float[] got = gpu.toHost(t);
            for (int i = 0; i < count; i++) assertEquals(alpha * x[i], got[i], 0f, "element " + i);
        }
    }
}
