package dev.vavl4j.backend.cuda;

import static dev.vavl4j.backend.cuda.CudaNormParityTest.assertClose;
import static dev.vavl4j.backend.cuda.CudaNormParityTest.garbage;
import static dev.vavl4j.backend.cuda.CudaNormParityTest.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.vavl4j.backend.Tensor;
import dev.vavl4j.backend.cpu.CpuBackend;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Depthwise conv along time: the CUDA backend (on the CPU emulator) against the CPU reference, with odd
 * channel counts, kernels shorter and longer than the sequence, even kernel widths, dz pre-filled with
 * garbage (overwritten) and dWeight with random values (accumulated).
 */
class CudaConvParityTest {
    static final double OUT_TOL = 1e-4, GRAD_TOL = 1e-3;

    @ParameterizedTest
    @CsvSource({"3, 7, 37, 5", "3, 7, 19, 31", "2, 50, 19, 15", "1, 1, 3, 3", "4, 9, 33, 4", "3, 7, 37, 1"})
    void forwardMatchesCpu(int B, int T, int C, int K) {
        Random r = new Random(B * 1000 + T * 100 + C * 10 + K);
        float[] z = randn(r, B * T * C, 1f, 0.1f), w = randn(r, C * K, 0.5f, 0f);
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor[] out = new Tensor[2];
            for (int i = 0; i < 2; i++) {
                var be = i == 0 ? cpu : gpu;
                out[i] = be.fromHost(garbage(B * T * C), B, T, C);
                be.depthwiseConv(be.fromHost(z, B, T, C), be.fromHost(w, C, K), out[i]);
            }
            assertClose("out", cpu.toHost(out[0]), gpu.toHost(out[1]), OUT_TOL);
        }
    }

    @ParameterizedTest
    @CsvSource({"3, 7, 37, 5", "3, 7, 19, 31", "2, 50, 19, 15", "1, 1, 3, 3", "4, 9, 33, 4", "3, 7, 37, 1"})
    void backwardMatchesCpu(int B, int T, int C, int K) {
        Random r = new Random(B * 999 + T * 99 + C * 9 + K);
        float[] z = randn(r, B * T * C, 1f, 0.1f), w = randn(r, C * K, 0.5f, 0f), dOut = randn(r, B * T * C, 1f, 0f);
        float[] dw0 = randn(r, C * K, 1f, 0f);
        try (CpuBackend cpu = new CpuBackend(); CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor[] dz = new Tensor[2], dw = new Tensor[2];
            for (int i = 0; i < 2; i++) {
                var be = i == 0 ? cpu : gpu;
                dz[i] = be.fromHost(garbage(B * T * C), B, T, C);
                dw[i] = be.fromHost(dw0, C, K);
                be.depthwiseConvBackward(be.fromHost(dOut, B, T, C), be.fromHost(z, B, T, C), be.fromHost(w, C, K),
                        dz[i], dw[i]);
            }
            assertClose("dz", cpu.toHost(dz[0]), gpu.toHost(dz[1]), GRAD_TOL);
            assertClose("dWeight", cpu.toHost(dw[0]), gpu.toHost(dw[1]), GRAD_TOL);
            // The gradient proper (accumulated minus pre-fill) too, so a wrong dW cannot hide behind dw0.
            float[] c = cpu.toHost(dw[0]), g = gpu.toHost(dw[1]);
            for (int j = 0; j < c.length; j++) {
                c[j] -= dw0[j];
                g[j] -= dw0[j];
            }
            assertClose("dWeight - prefill", c, g, GRAD_TOL);
        }
    }

    @Test
    void backwardIsDeterministic() {
        int B = 4, T = 60, C = 37, K = 7;
        Random r = new Random(3);
        float[] z = randn(r, B * T * C, 1f, 0f), w = randn(r, C * K, 1f, 0f), dOut = randn(r, B * T * C, 1f, 0f);
        try (CudaBackend gpu = EmulatedCuda.backend()) {
            Tensor zt = gpu.fromHost(z, B, T, C), wt = gpu.fromHost(w, C, K), dOutT = gpu.fromHost(dOut, B, T, C);
            float[][] dws = new float[2][];
            for (int k = 0; k < 2; k++) {
                Tensor dw = gpu.zeros(C, K);
                gpu.depthwiseConvBackward(dOutT, zt, wt, gpu.zeros(B, T, C), dw);
                dws[k] = gpu.toHost(dw);
            }
            assertArrayEquals(dws[0], dws[1]);
        }
    }
}
