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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One whole Conformer block (½FF, relative-position MHSA, conv module, ½FF, LN) forward and
 * forward+backward in train mode at the paper width (d 512, 8 heads, FF 2048, kernel 31) on B 4, T 150
 * with unequal lengths, through the public layer API on a {@link CpuBackend}: the sum of the pieces that
 * {@link GemmBench}, {@link AttentionBench} and {@link ConvBench} measure alone, plus the layer norms,
 * activations and dropout between them. A training step runs 3 such blocks per modality and 2 shared
 * (see {@link TrainStepBench}).
 *
 * <p>Each invocation runs inside a workspace, as a training step does, so activations come from and go back
 * to the backend's buffer pool. There is no peer in Java; the PyTorch peer is compared end to end (a whole
 * training step) by {@code native-build/bench-vs-pytorch.sh}. {@code dropout} 0.1 is the paper's training
 * rate.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 4, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ConformerBench {
    static {
        BenchEnv.init();
    }

    private static final int B = 4, T = 150, D = 512, H = 8;

    @Param({"0.1", "0"})
    public float dropout;

    private final Backend be = new CpuBackend();
    private ConformerBlock block;
    private SeqMask mask;
    private Tensor x, dOut;
    private long seed;

    @Setup
    public void setup() {
        BenchEnv.report("ConformerBench");
        VavlConfig cfg = VavlConfig.paperDefaults().with(Map.of("modality_layers", 0, "shared_layers", 1));
        ParameterStore store = ParameterStore.fromHost(be, cfg, WeightInit.initial(cfg, 1), "init");
        block = new ConformerBlock(dev.vavl4j.layers.Declarations.over(store), "shared.conformer.blocks.0", dev.vavl4j.model.VavlModel.blockDims(cfg));
        mask = be.mask(new int[] {150, 120, 90, 75}, T);
        SplittableRandom rng = new SplittableRandom(7);
        x = BenchEnv.random(be, rng, B, T, D);
        dOut = BenchEnv.random(be, rng, B, T, D);
    }


    private ForwardContext context() {
        return new ForwardContext(be, true, dropout, 0f, 1e-5f, 1e-5f, 0.1f, ++seed);
    }

    @Benchmark
    public void conformerBlockForward(Blackhole bh) {
        try (var ws = be.openWorkspace()) {
            bh.consume(block.forward(context(), x, mask).out());
        }
    }

    @Benchmark
    public void conformerBlockForwardBackward(Blackhole bh) {
        try (var ws = be.openWorkspace()) {
            ForwardContext fc = context();
            ConformerBlock.Result r = block.forward(fc, x, mask);
            Tensor dx = be.zeros(B, T, D);
            block.backward(fc, r.saved(), dOut, mask, dx);
            bh.consume(dx);
        }
    }
}
