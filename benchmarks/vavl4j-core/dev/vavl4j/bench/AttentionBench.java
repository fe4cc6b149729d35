package dev.vavl4j.bench;

import dev.vavl4j.backend.AttentionGrads;
import dev.vavl4j.backend.AttentionInputs;
import dev.vavl4j.backend.AttentionSaved;
import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.SeqMask;
import dev.vavl4j.backend.Tensor;
import dev.vavl4j.backend.cpu.BenchAccess;
import dev.vavl4j.backend.cpu.CpuBackend;
import java.util.Arrays;
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
 * The relative-position attention core alone (the op between the q/k/v projections and the output
 * projection: scores with the u and v biases, key masking, softmax, dropout on the probabilities, the
 * weighted sum of values) at the paper width: B 4, T 150, d 512, 8 heads, unequal lengths.
 *
 * <p>Two paths of the same op, measured in the same run:
 * <ul>
 *   <li>{@code backend*}: {@link Backend#relPosAttention} and its backward on a {@link CpuBackend}, what the
 *       model runs: with OpenBLAS, per-(sample, head) products (CpuAttentionGemm). Their setup fails with a
 *       clear message when the backend has no OpenBLAS, since the backend would then run the reference
 *       too.</li>
 *   <li>{@code reference*}: the peer, CpuAttention.referenceForward/referenceBackward (one dh-wide dot
 *       product or axpy per query-key pair), reached through the bench-only
 *       {@link BenchAccess}.</li>
 * </ul>
 * Each path as forward alone and as forward+backward (backward = the difference); the ratio
 * reference / backend is the speed-up of the GEMM formulation. {@code dropout} 0.1 is the paper's training
 * rate (the mask is a hash of the seed and the element); 0 takes the branch without it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class AttentionBench {
    static {
        BenchEnv.init();
    }

    private static final int B = 4, D = 512, H = 8;

    /** Padded length T. */
    @Param({"150"})
    public int time;

    /** The B = 4 valid lengths, comma-separated, each at most T. */
    @Param({"150,120,100,80"})
    public String lengths;

    @Param({"0.1", "0"})
    public float dropout;

    private final Backend be = new CpuBackend();
    private SeqMask mask;
    private Tensor q, k, v, pos, u, vb, probs, ctx, dCtx, dq, dk, dv, dPos, dU, dVb;
    private long seed;

    @Setup
    public void setup(BenchmarkParams params) {
        BenchEnv.report("AttentionBench");
        if (params.getBenchmark().contains(".backend") && !BenchEnv.openBlas()) {
            throw BenchEnv.noOpenBlas("AttentionBench." + params.getBenchmark().replaceAll(".*\\.", ""));
        }
        int[] len = Arrays.stream(lengths.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
        if (len.length != B || Arrays.stream(len).anyMatch(l -> l < 1 || l > time)) {
            throw new IllegalArgumentException("lengths: " + B + " values in [1, " + time + "], got " + lengths);
        }
        int T = time;
        mask = be.mask(len, T);
        SplittableRandom rng = new SplittableRandom(7);
        q = BenchEnv.random(be, rng, B, T, D);
        k = BenchEnv.random(be, rng, B, T, D);
        v = BenchEnv.random(be, rng, B, T, D);
        pos = BenchEnv.random(be, rng, 2 * T - 1, D);
        u = BenchEnv.random(be, rng, H, D / H);
        vb = BenchEnv.random(be, rng, H, D / H);
        dCtx = BenchEnv.random(be, rng, B, T, D);
        probs = be.zeros(B, H, T, T);
        ctx = be.zeros(B, T, D);
        dq = be.zeros(B, T, D);
        dk = be.zeros(B, T, D);
        dv = be.zeros(B, T, D);
        dPos = be.zeros(2 * T - 1, D);
        dU = be.zeros(H, D / H);
        dVb = be.zeros(H, D / H);
    }


    private long nextSeed() {
        return dropout > 0 ? ++seed : 0L;
    }

    @Benchmark
    public Tensor backendForward() {
        be.relPosAttention(new AttentionInputs(q, k, v, pos, u, vb), H, mask,
                new AttentionSaved(probs, dropout, nextSeed()), ctx);
        return ctx;
    }

    @Benchmark
    public Tensor backendForwardBackward() {
        long s = nextSeed();
        AttentionInputs in = new AttentionInputs(q, k, v, pos, u, vb);
        AttentionSaved saved = new AttentionSaved(probs, dropout, s);
        be.relPosAttention(in, H, mask, saved, ctx);
        be.relPosAttentionBackward(dCtx, in, H, mask, saved, new AttentionGrads(dq, dk, dv, dPos, dU, dVb));
        return dq;
    }

    @Benchmark
    public Tensor referenceForward() {
        BenchAccess.referenceAttentionForward(q, k, v, pos, u, vb, H, mask, dropout, nextSeed(), probs, ctx);
        return ctx;
    }

    @Benchmark
    public Tensor referenceForwardBackward() {
        long s = nextSeed();
        BenchAccess.referenceAttentionForward(q, k, v, pos, u, vb, H, mask, dropout, s, probs, ctx);
        BenchAccess.referenceAttentionBackward(dCtx, q, k, v, pos, u, vb, H, mask, dropout, s, probs, dq, dk, dv,
                dPos, dU, dVb);
        return dq;
    }
}
