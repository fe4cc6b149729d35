package dev.vavl4j.bench;

import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.model.Batch;
import dev.vavl4j.model.Inference;
import dev.vavl4j.model.ParameterStore;
import dev.vavl4j.model.SequenceBatch;
import dev.vavl4j.model.TrainStep;
import dev.vavl4j.model.VavlConfig;
import dev.vavl4j.model.VavlModel;
import dev.vavl4j.model.WeightInit;
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
 * A whole VAVL training step (visual, audio, fusion steps with Adam) and eval inference of both
 * modalities plus fusion, on the CPU backend at the paper configuration, lengths drawn in [T/2, T]. The
 * end-to-end number that {@link GemmBench}, {@link AttentionBench}, {@link ConvBench} and
 * {@link ConformerBench} break down; its PyTorch peer is {@code native-build/bench-vs-pytorch.sh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx8g"})
public class TrainStepBench {
    static {
        BenchEnv.init();
    }

    @Param({"4"})
    public int batch;
    @Param({"150"})
    public int audioFrames;
    @Param({"90"})
    public int visualFrames;

    private VavlModel model;
    private Batch data;
    private long step;

    @Setup
    public void setup() {
        BenchEnv.report("TrainStepBench");
        VavlConfig cfg = VavlConfig.paperDefaults();
        CpuBackend be = new CpuBackend();
        model = new VavlModel(cfg, ParameterStore.fromHost(be, cfg, WeightInit.initial(cfg, 1), "init"));
        SplittableRandom rng = new SplittableRandom(3);
        boolean[] all = new boolean[batch];
        java.util.Arrays.fill(all, true);
        float[] labels = new float[batch * cfg.outputs()];
        for (int b = 0; b < batch; b++) labels[b * cfg.outputs() + b % cfg.outputs()] = 1f;
        data = new Batch(random(rng, batch, audioFrames, cfg.audioDim()), random(rng, batch, visualFrames, cfg.visualDim()),
                all, all.clone(), labels, cfg.outputs());
    }

    private static SequenceBatch random(SplittableRandom rng, int B, int T, int D) {
        float[] x = new float[B * T * D];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rng.nextDouble() * 2 - 1);
        int[] len = new int[B];
        for (int b = 0; b < B; b++) len[b] = T / 2 + rng.nextInt(T - T / 2 + 1);
        return new SequenceBatch(x, len, T, D);
    }

    @Benchmark
    public TrainStep.Report trainStep() {
        return new TrainStep(model).run(data, step++, false);
    }

    @Benchmark
    public Inference.Result inference() {
        return Inference.run(model, data);
    }
}
