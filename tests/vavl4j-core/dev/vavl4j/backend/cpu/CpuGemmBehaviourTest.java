package dev.vavl4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * CpuGemm against a naive double triple loop: every transpose form, odd shapes, general alpha/beta; for
 * the Java reference kernel and for the OpenBLAS path (skipped where libopenblas.so.0 is absent), whose
 * products big enough to be cut into row or column blocks per core get shapes of their own.
 */
class CpuGemmBehaviourTest {
    private static final int[] DIMS = {1, 3, 17, 33, 65, 130};

    /** The kernels under test: "java" is the reference, "dispatch" whatever CpuGemm.gemm picks (OpenBLAS here). */
    private interface Kernel {
        void gemm(int m, int n, int k, float alpha, float[] a, boolean ta, float[] b, boolean tb, float beta, float[] c);
    }

    private static Kernel kernel(String name) {
        if (name.equals("java")) return CpuGemm::javaGemm;
        assumeTrue(OpenBlas.get() != null, "libopenblas.so.0 is absent: " + CpuGemm.implementation());
        return CpuGemm::gemm;
    }

    private static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    /** C = alpha·op(A)·op(B) + beta·C0 in double; also Σ|terms| per element as an error scale. */
    private static double[][] naive(int m, int n, int k, double alpha, float[] a, boolean ta, float[] b, boolean tb,
                                    double beta, float[] c0) {
        double[] c = new double[m * n], scale = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0, abs = 0;
                for (int p = 0; p < k; p++) {
                    double x = ta ? a[p * m + i] : a[i * k + p];
                    double y = tb ? b[j * k + p] : b[p * n + j];
                    s += x * y;
                    abs += Math.abs(x * y);
                }
                c[i * n + j] = alpha * s + beta * c0[i * n + j];
                scale[i * n + j] = Math.abs(alpha) * abs + Math.abs(beta * c0[i * n + j]);
            }
        }
        return new double[][] {c, scale};
    }

    @ParameterizedTest(name = "{2}: transA={0} transB={1}")
    @CsvSource({"false,false,java", "false,true,java", "true,false,java", "true,true,java",
        "false,false,dispatch", "false,true,dispatch", "true,false,dispatch", "true,true,dispatch"})
    void matchesNaiveForAllOddShapes(boolean ta, boolean tb, String kernelName) {
        Kernel kernel = kernel(kernelName);
        Random r = new Random(ta ? (tb ? 4 : 3) : (tb ? 2 : 1));
        float alpha = -0.75f, beta = 1.25f;
        int checked = 0;
        for (int m : DIMS) {
            for (int n : DIMS) {
                for (int k : DIMS) {
                    checkAgainstNaive(kernel, m, n, k, alpha, ta, tb, beta, r);
                    checked++;
                }
            }
        }
        assertEquals(216, checked);
    }

    /** Shapes the OpenBLAS path cuts into blocks: taller than wide (row blocks), wider than tall (column blocks). */
    @ParameterizedTest(name = "transA={0} transB={1}")
    @CsvSource({"false,false", "false,true", "true,false", "true,true"})
    void blockedProductsMatchNaive(boolean ta, boolean tb) {
        Kernel kernel = kernel("dispatch");
        Random r = new Random(ta ? 11 : 12);
        checkAgainstNaive(kernel, 301, 37, 200, 0.5f, ta, tb, 0f, r);
        checkAgainstNaive(kernel, 37, 301, 200, -1f, ta, tb, 1f, r);
        checkAgainstNaive(kernel, 129, 129, 129, 1f, ta, tb, 0.5f, r);
    }

    private static void checkAgainstNaive(Kernel kernel, int m, int n, int k, float alpha, boolean ta, boolean tb,
                                          float beta, Random r) {
        float[] a = random(r, m * k), b = random(r, k * n), c0 = random(r, m * n);
        float[] c = c0.clone();
        kernel.gemm(m, n, k, alpha, a, ta, b, tb, beta, c);
        double[][] want = naive(m, n, k, alpha, a, ta, b, tb, beta, c0);
        double num = 0, den = 0;
        for (int i = 0; i < m * n; i++) {
            double e = want[0][i], d = c[i] - e;
            if (!(Math.abs(d) <= 1e-5 * want[1][i] + 1e-30)) {
                fail(String.format("m=%d n=%d k=%d ta=%b tb=%b: C[%d,%d] = %s, naive %s (scale %s)", m, n, k, ta,
                        tb, i / n, i % n, c[i], e, want[1][i]));
            }
            num += d * d;
            den += e * e;
        }
        double rel = Math.sqrt(num / den);
        assertTrue(rel <= 1e-5, String.format("m=%d n=%d k=%d: relative error %.3g", m, n, k, rel));
    }

    @Test
    void betaZeroOverwritesGarbageAndBetaOneAccumulates() {
        Random r = new Random(5);
        int m = 17, n = 33, k = 3;
        float[] a = random(r, m * k), b = random(r, k * n);
        float[] c = new float[m * n];
        java.util.Arrays.fill(c, Float.NaN);
        CpuGemm.gemm(m, n, k, 1f, a, false, b, false, 0f, c);
        double[] want = naive(m, n, k, 1, a, false, b, false, 0, new float[m * n])[0];
        for (int i = 0; i < c.length; i++) assertEquals(want[i], c[i], 1e-5 * (1 + Math.abs(want[i])), "beta=0, element " + i);
        float[] once = c.clone();
        CpuGemm.gemm(m, n, k, 1f, a, false, b, false, 1f, c);
        for (int i = 0; i < c.length; i++) assertEquals(2 * once[i], c[i], 1e-5 * (1 + Math.abs(once[i])), "beta=1, element " + i);
    }

    @Test
    void alphaZeroOnlyScalesC() {
        Random r = new Random(6);
        int m = 3, n = 65, k = 17;
        float[] a = random(r, m * k), b = random(r, k * n), c0 = random(r, m * n), c = c0.clone();
        CpuGemm.gemm(m, n, k, 0f, a, true, b, true, 0.5f, c);
        for (int i = 0; i < c.length; i++) assertEquals(0.5f * c0[i], c[i], "element " + i);
    }

    @Test
    void backendGemmUsesTheSameConventionsOnTensors() {
        Backend be = new CpuBackend();
        Random r = new Random(7);
        int m = 33, n = 17, k = 65;
        // A stored [k, m] (transA), B stored [n, k] (transB, the Linear-weight form)
        float[] a = random(r, k * m), b = random(r, n * k), c0 = random(r, m * n);
        Tensor ta = be.fromHost(a, k, m), tb = be.fromHost(b, n, k), tc = be.fromHost(c0, m, n);
        be.gemm(ta, true, tb, true, tc, 2f, -1f);
        double[][] want = naive(m, n, k, 2, a, true, b, true, -1, c0);
        float[] got = be.toHost(tc);
        for (int i = 0; i < got.length; i++) assertEquals(want[0][i], got[i], 1e-5 * want[1][i], "element " + i);
    }
}
