package dev.vavl4j.bench;

import dev.vavl4j.backend.cpu.CpuGemm;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The GEMM shapes of a paper-config Conformer feed-forward layer at B·T = 600 rows (B 4, T 150, d 512,
 * 4d = 2048), in the three forms a training step uses, Vector API kernel vs a scalar peer measured in
 * the same run. The peer is the cache-friendly i-k-j loop that C2 auto-vectorises, not a strawman ijk.
 * GFLOP/s = 2·m·n·k / time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class GemmBench {

    /** form:m:n:k — NT = x·Wᵀ (forward), TN = dyᵀ·x (weight gradient), NN = dy·W (input gradient). */
    @Param({"NT:600:2048:512", "TN:2048:512:600", "NN:600:512:2048"})
    public String shape;

    private int m, n, k;
    private boolean transA, transB;
    private float[] a, b, c;

    @Setup
    public void setup() {
        String[] p = shape.split(":");
        transA = p[0].charAt(0) == 'T';
        transB = p[0].charAt(1) == 'T';
        m = Integer.parseInt(p[1]);
        n = Integer.parseInt(p[2]);
        k = Integer.parseInt(p[3]);
        SplittableRandom rng = new SplittableRandom(42);
        a = random(m * k, rng);
        b = random(k * n, rng);
        c = new float[m * n];
    }

    private static float[] random(int len, SplittableRandom rng) {
        float[] v = new float[len];
        for (int i = 0; i < len; i++) v[i] = (float) (rng.nextDouble() - 0.5);
        return v;
    }

    @Benchmark
    public float[] vectorApi() {
        CpuGemm.gemm(m, n, k, 1f, a, transA, b, transB, 0f, c);
        return c;
    }

    /** Single-threaded scalar peer: C[i,:] += a(i,p)·B[p,:] over p (B packed to k×n first when transposed). */
    @Benchmark
    public float[] scalarIkj() {
        float[] bp = b;
        if (transB) {
            bp = new float[k * n];
            for (int j = 0; j < n; j++) for (int p = 0; p < k; p++) bp[p * n + j] = b[j * k + p];
        }
        java.util.Arrays.fill(c, 0f);
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                float x = transA ? a[p * m + i] : a[i * k + p];
                int bo = p * n, co = i * n;
                for (int j = 0; j < n; j++) c[co + j] += x * bp[bo + j];
            }
        }
        return c;
    }
}
