package dev.vavl4j.bench;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.SeqMask;
import dev.vavl4j.backend.Tensor;
import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.layers.ConformerBlock;
import dev.vavl4j.layers.ForwardContext;
import dev.vavl4j.model.ParameterStore;
import dev.vavl4j.model.VavlConfig;
import dev.vavl4j.model.WeightInit;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Hot CPU pieces at the paper width (d 512, 8 heads, K 31) on B 4, T 150 with unequal lengths: the
 * relative-position attention core forward+backward, and one whole Conformer block forward+backward in
 * train mode, so a change to one op can be judged alone.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 4, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ConformerBench {
    private static final int B = 4, T = 150, D = 512, H = 8;

    private final Backend be = new CpuBackend();
    private ConformerBlock block;
    private SeqMask mask;
    private Tensor x, dOut, q, k, v, pos, u, vb, probs, ctx;

    @Setup
    public void setup() {
        VavlConfig cfg = VavlConfig.paperDefaults().with(Map.of("modality_layers", 0, "shared_layers", 1, "dropout", 0.0));
        ParameterStore store = ParameterStore.fromHost(be, cfg, WeightInit.initial(cfg, 1), "init");
        block = new ConformerBlock(store, "shared.conformer.blocks.0", H);
        mask = be.mask(new int[] {150, 120, 90, 75}, T);
        SplittableRandom rng = new SplittableRandom(7);
        x = random(rng, B, T, D);
        dOut = random(rng, B, T, D);
        q = random(rng, B, T, D);
        k = random(rng, B, T, D);
        v = random(rng, B, T, D);
        pos = random(rng, 2 * T - 1, D);
        u = random(rng, H, D / H);
        vb = random(rng, H, D / H);
        probs = be.zeros(B, H, T, T);
        ctx = be.zeros(B, T, D);
    }

    private Tensor random(SplittableRandom rng, int... shape) {
        Tensor t = be.zeros(shape);
        float[] vals = new float[t.size()];
        for (int i = 0; i < vals.length; i++) vals[i] = (float) (rng.nextDouble() - 0.5);
        return be.fromHost(vals, shape);
    }

    @Benchmark
    public Tensor attentionCoreForwardBackward() {
        be.relPosAttention(q, k, v, pos, u, vb, H, mask, 0f, 0L, probs, ctx);
        Tensor dq = be.zeros(B, T, D), dk = be.zeros(B, T, D), dv = be.zeros(B, T, D), dPos = be.zeros(2 * T - 1, D);
        be.relPosAttentionBackward(ctx, q, k, v, pos, u, vb, H, mask, 0f, 0L, probs, dq, dk, dv, dPos,
                be.zeros(H, D / H), be.zeros(H, D / H));
        return dq;
    }

    @Benchmark
    public Tensor conformerBlockForwardBackward() {
        ForwardContext fc = new ForwardContext(be, true, 0f, 0f, 1e-5f, 1e-5f, 0.1f, 1L);
        ConformerBlock.Result r = block.forward(fc, x, mask);
        Tensor dx = be.zeros(B, T, D);
        block.backward(fc, r.saved(), dOut, mask, dx);
        return dx;
    }
}
