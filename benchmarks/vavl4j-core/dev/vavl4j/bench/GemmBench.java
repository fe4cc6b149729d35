package dev.vavl4j.bench;

import dev.vavl4j.backend.cpu.BenchAccess;
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
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The hot GEMM shapes of a paper-config training step (B 4; audio Ta 150 → 600 rows, visual Tv 90 → 360
 * rows; d 512, feed-forward 4d = 2048, conv pointwise1 d → 2d = 1024), in the three forms a
 * {@code Linear} uses, each kernel against peers measured in the same run:
 * <ul>
 *   <li>{@link #openBlas}: {@link CpuGemm#gemm}, what the backend runs: OpenBLAS {@code cblas_sgemm} through
 *       FFM, cut into row or column blocks over the cores. Its setup fails with a clear message when
 *       {@link CpuGemm#implementation()} does not say OpenBLAS (the other two still run).</li>
 *   <li>{@link #javaVectorApi}: {@code CpuGemm.javaGemm}, the pure-Java Vector API reference kernel (parallel
 *       over the cores, like the backend), reached through the bench-only {@link BenchAccess}.</li>
 *   <li>{@link #scalarIkj}: a single-threaded scalar peer, the cache-friendly i-k-j loop that C2
 *       auto-vectorises, not a strawman ijk.</li>
 * </ul>
 * Judge a kernel by its ratio to a peer of the same run, e.g. javaVectorApi time / openBlas time.
 *
 * <p>GFLOP/s = 2·m·n·k / (time in ms · 10⁶). The shapes (form:m:n:k) and where a step uses them:
 * <pre>
 *   NT:600:2048:512  1.258 GFLOP  FF linear1 forward, audio (x·W₁ᵀ)
 *   TN:2048:512:600  1.258 GFLOP  FF linear1 weight gradient (dyᵀ·x)
 *   NN:600:512:2048  1.258 GFLOP  FF linear1 input gradient (dy·W₁)
 *   NT:360:2048:512  0.755 GFLOP  FF linear1 forward, visual
 *   NT:600:1024:512  0.629 GFLOP  conv pointwise1 forward (d → 2d)
 *   NT:600:512:512   0.315 GFLOP  attention q, k, v, out and conv pointwise2 forward
 *   TN:512:512:600   0.315 GFLOP  their weight gradients
 *   NN:600:512:512   0.315 GFLOP  their input gradients
 * </pre>
 * FF linear2 (2048 → 512) does the same work with the inner dimension moved (NT:600:512:2048,
 * TN:512:2048:600, NN:600:2048:512; pass them with {@code -p shape=...}); the narrow products (input
 * projections, heads, the 299-row relative-position table) are small next to these.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class GemmBench {
    static {
        BenchEnv.init();
    }

    /** form:m:n:k — NT = x·Wᵀ (forward), TN = dyᵀ·x (weight gradient), NN = dy·W (input gradient). */
    @Param({"NT:600:2048:512", "TN:2048:512:600", "NN:600:512:2048", "NT:360:2048:512", "NT:600:1024:512",
            "NT:600:512:512", "TN:512:512:600", "NN:600:512:512"})
    public String shape;

    private int m, n, k;
    private boolean transA, transB;
    private float[] a, b, c;

    @Setup
    public void setup(BenchmarkParams params) {
        BenchEnv.report("GemmBench");
        if (params.getBenchmark().endsWith(".openBlas") && !BenchEnv.openBlas()) {
            throw BenchEnv.noOpenBlas("GemmBench.openBlas");
        }
        String[] p = shape.split(":");
        if (p.length != 4 || p[0].length() != 2) throw new IllegalArgumentException("shape is form:m:n:k, got " + shape);
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

    /** What the backend runs: OpenBLAS sgemm (setup fails without it). */
    @Benchmark
    public float[] openBlas() {
        CpuGemm.gemm(m, n, k, 1f, a, transA, b, transB, 0f, c);
        return c;
    }

    /** The pure-Java Vector API reference kernel. */
    @Benchmark
    public float[] javaVectorApi() {
        BenchAccess.javaGemm(m, n, k, 1f, a, transA, b, transB, 0f, c);
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
