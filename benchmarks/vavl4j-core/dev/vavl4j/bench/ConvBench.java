package dev.vavl4j.bench;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.SeqMask;
import dev.vavl4j.backend.Tensor;
import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.layers.ConvModule;
import dev.vavl4j.layers.ForwardContext;
import dev.vavl4j.model.ParameterStore;
import dev.vavl4j.model.VavlConfig;
import dev.vavl4j.model.WeightInit;
import java.util.Arrays;
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
 * The Conformer conv module (LN, pointwise1 d → 2d, GLU with padded frames zeroed, depthwise conv,
 * masked BatchNorm on batch statistics, swish, pointwise2, dropout) at the paper width: B 4, T 150, d 512,
 * kernel 31, unequal lengths, train mode, through the public layer API on a {@link CpuBackend} (built from
 * initial paper-config parameters, as {@link ConformerBench} builds a block):
 * <ul>
 *   <li>{@link #convModuleForward} and {@link #convModuleForwardBackward}: the whole module, each invocation
 *       in a workspace as in a training step (its two pointwise products are also in {@link GemmBench}:
 *       NT:600:1024:512 and NT:600:512:512).</li>
 *   <li>{@link #depthwiseConv} and {@link #depthwiseConvBackward}: the op alone,
 *       {@link Backend#depthwiseConv} and {@link Backend#depthwiseConvBackward} on {@code [B, T, d]} with a
 *       {@code [d, K]} weight, buffers allocated once.</li>
 * </ul>
 * There is no peer for these in Java. The peer comparison is with PyTorch, made end to end (a whole
 * training step of the same model and shapes, vavl4j and the peer in one run, as ratios) by
 * {@code native-build/bench-vs-pytorch.sh}; here a change is judged by its time before and after, or by its
 * share of {@link ConformerBench}'s block.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ConvBench {
    static {
        BenchEnv.init();
    }

    private static final int B = 4, T = 150, D = 512;
    private static final String PREFIX = "shared.conformer.blocks.0.conv";

    /** The B = 4 valid lengths, comma-separated, each at most T = 150. */
    @Param({"150,120,100,80"})
    public String lengths;

    /** Dropout on the module's output (the paper's training rate); the module has no other dropout. */
    @Param({"0.1"})
    public float dropout;

    private final Backend be = new CpuBackend();
    private ConvModule conv;
    private SeqMask mask;
    private Tensor x, dOut, weight, z, c, dC, dz, dWeight;
    private long seed;

    @Setup
    public void setup() {
        BenchEnv.report("ConvBench");
        int[] len = Arrays.stream(lengths.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
        if (len.length != B || Arrays.stream(len).anyMatch(l -> l < 1 || l > T)) {
            throw new IllegalArgumentException("lengths: " + B + " values in [1, " + T + "], got " + lengths);
        }
        VavlConfig cfg = VavlConfig.paperDefaults().with(Map.of("modality_layers", 0, "shared_layers", 1));
        if (cfg.modelDim() != D || cfg.convKernel() != 31) throw new IllegalStateException("not the paper width: " + cfg);
        ParameterStore store = ParameterStore.fromHost(be, cfg, WeightInit.initial(cfg, 1), "init");
        conv = new ConvModule(dev.vavl4j.layers.Declarations.over(store), PREFIX, cfg.modelDim(), cfg.convKernel());
        weight = store.param(PREFIX + ".depthwise.weight").value;
        mask = be.mask(len, T);
        SplittableRandom rng = new SplittableRandom(11);
        x = BenchEnv.random(be, rng, B, T, D);
        dOut = BenchEnv.random(be, rng, B, T, D);
        z = BenchEnv.random(be, rng, B, T, D);
        dC = BenchEnv.random(be, rng, B, T, D);
        c = be.zeros(B, T, D);
        dz = be.zeros(B, T, D);
        dWeight = be.zeros(weight.shape());
    }


    private ForwardContext context() {
        return new ForwardContext(be, true, dropout, 0f, 1e-5f, 1e-5f, 0.1f, ++seed);
    }

    @Benchmark
    public void convModuleForward(Blackhole bh) {
        try (var ws = be.openWorkspace()) {
            bh.consume(conv.forward(context(), x, mask).out());
        }
    }

    @Benchmark
    public void convModuleForwardBackward(Blackhole bh) {
        try (var ws = be.openWorkspace()) {
            ForwardContext fc = context();
            ConvModule.Result r = conv.forward(fc, x, mask);
            Tensor dx = be.zeros(B, T, D);
            conv.backward(fc, r.saved(), dOut, mask, dx);
            bh.consume(dx);
        }
    }

    @Benchmark
    public Tensor depthwiseConv() {
        be.depthwiseConv(z, weight, c);
        return c;
    }

    /** dz overwritten, dWeight accumulated (as in the module's backward). */
    @Benchmark
    public Tensor depthwiseConvBackward() {
        be.depthwiseConvBackward(dC, z, weight, dz, dWeight);
        return dz;
    }
}
