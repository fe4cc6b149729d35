package dev.vavl4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.Tensor;
import dev.vavl4j.backend.cpu.CpuBackend;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** CudaGemm (row-major onto column-major cuBLAS) on the emulator against the CPU reference. */
class CudaGemmParityTest {
    private static final float TOL = 1e-4f;

    static Stream<Arguments> cases() {
        int[][] shapes = {{7, 5, 3}, {1, 1, 1}, {3, 8, 1}, {16, 9, 33}, {2, 17, 4}};
        float[][] scalars = {{1f, 0f}, {0.75f, -1.5f}, {-2f, 1f}};
        Stream.Builder<Arguments> b = Stream.builder();
        for (int[] s : shapes)
            for (boolean ta : new boolean[] {false, true})
                for (boolean tb : new boolean[] {false, true})
                    for (float[] ab : scalars) b.add(Arguments.of(s[0], s[1], s[2], ta, tb, ab[0], ab[1]));
        return b.build();
    }

    @ParameterizedTest(name = "m{0} n{1} k{2} tA={3} tB={4} a={5} b={6}")
    @MethodSource("cases")
    void matchesCpu(int m, int n, int k, boolean transA, boolean transB, float alpha, float beta) {
        Random r = new Random(31L * m + 7L * n + k + (transA ? 1000 : 0) + (transB ? 2000 : 0));
        float[] a = randn(r, m * k), b = randn(r, k * n), c = randn(r, m * n);
        int[] aShape = transA ? new int[] {k, m} : new int[] {m, k};
        int[] bShape = transB ? new int[] {n, k} : new int[] {k, n};
        try (Backend gpu = EmulatedCuda.backend(); Backend cpu = new CpuBackend()) {
            float[] got = run(gpu, a, aShape, transA, b, bShape, transB, c, m, n, alpha, beta);
            float[] want = run(cpu, a, aShape, transA, b, bShape, transB, c, m, n, alpha, beta);
            assertClose(want, got);
        }
    }

    /** Operands with more than two dimensions are viewed as [rows = product of the leading dims, cols = last]. */
    @Test
    void threeDimensionalTensorsUseTheirTwoDimensionalView() {
        Random r = new Random(5);
        float[] x = randn(r, 2 * 3 * 4), w = randn(r, 5 * 4);
        try (Backend gpu = EmulatedCuda.backend(); Backend cpu = new CpuBackend()) {
            float[][] out = new float[2][];
            Backend[] bes = {gpu, cpu};
            for (int i = 0; i < 2; i++) {
                Backend be = bes[i];
                Tensor y = be.zeros(2, 3, 5);
                be.gemm(be.fromHost(x, 2, 3, 4), false, be.fromHost(w, 5, 4), true, y, 1f, 0f);
                out[i] = be.toHost(y);
            }
            assertClose(out[1], out[0]);
        }
    }

    /** β = 0 overwrites C: NaN already there must not leak into the result (as on the CPU). */
    @Test
    void betaZeroIgnoresNanInC() {
        Random r = new Random(9);
        float[] a = randn(r, 4 * 3), b = randn(r, 3 * 2), c = new float[8];
        java.util.Arrays.fill(c, Float.NaN);
        try (Backend gpu = EmulatedCuda.backend(); Backend cpu = new CpuBackend()) {
            float[] got = run(gpu, a, new int[] {4, 3}, false, b, new int[] {3, 2}, false, c, 4, 2, 1f, 0f);
            float[] want = run(cpu, a, new int[] {4, 3}, false, b, new int[] {3, 2}, false, c, 4, 2, 1f, 0f);
            for (float v : got) assertTrue(Float.isFinite(v), "NaN from C leaked");
            assertClose(want, got);
        }
    }

    /** TF32 mode still computes the product (to TF32 precision: 10-bit mantissa inputs). */
    @Test
    void tf32ModeStillComputesTheProduct() {
        Random r = new Random(11);
        float[] a = randn(r, 6 * 5), b = randn(r, 5 * 4), c = new float[24];
        try (CudaBackend gpu = EmulatedCuda.backend(); Backend cpu = new CpuBackend()) {
            gpu.setTf32(true);
            float[] got = run(gpu, a, new int[] {6, 5}, false, b, new int[] {5, 4}, false, c, 6, 4, 1f, 0f);
            float[] want = run(cpu, a, new int[] {6, 5}, false, b, new int[] {5, 4}, false, c, 6, 4, 1f, 0f);
            assertTrue(relErr(want, got) <= 5e-3, "tf32 rel err " + relErr(want, got));
        }
    }

    private static float[] run(Backend be, float[] a, int[] aShape, boolean ta, float[] b, int[] bShape, boolean tb,
                               float[] c, int m, int n, float alpha, float beta) {
        Tensor tc = be.fromHost(c.clone(), m, n);
        be.gemm(be.fromHost(a, aShape), ta, be.fromHost(b, bShape), tb, tc, alpha, beta);
        return be.toHost(tc);
    }

    private static float[] randn(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    private static double relErr(float[] want, float[] got) {
        double max = 0, diff = 0;
        for (int i = 0; i < want.length; i++) {
            max = Math.max(max, Math.abs(want[i]));
            diff = Math.max(diff, Math.abs(want[i] - got[i]));
        }
        return diff / Math.max(max, 1e-6);
    }

    private static void assertClose(float[] want, float[] got) {
        assertTrue(want.length == got.length, "length");
        double err = relErr(want, got);
        if (!(err <= TOL)) assertArrayEquals(want, got, 0f, "rel err " + err); // NaN fails too
    }
}
