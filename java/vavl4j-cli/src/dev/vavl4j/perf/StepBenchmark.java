package dev.vavl4j.perf;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.cuda.CudaBackend;
import dev.vavl4j.model.Batch;
import dev.vavl4j.model.Inference;
import dev.vavl4j.model.ParameterStore;
import dev.vavl4j.model.RandomBatch;
import dev.vavl4j.model.TrainStep;
import dev.vavl4j.model.VavlConfig;
import dev.vavl4j.model.VavlModel;
import dev.vavl4j.model.WeightInit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Times a full training step and eval inference (both modalities plus fusion) of a model on a backend,
 * the way shared/oracle/peer_bench.py times PyTorch: the same synthetic batch every iteration, warm-up
 * first, then the median of N wall-clock times (each step ends with its losses on the host, so device
 * work is finished).
 */
public final class StepBenchmark {
    private StepBenchmark() {}

    /** One measured workload (BenchCommand writes it as JSON with the field names of the PyTorch peer). */
    public record Measurement(String what, int batch, int audioFrames, int visualFrames, int iters, double medianMs,
                              double minMs, long peakDeviceBytes, long gemmFlops, List<OpProfile.Entry> profile) {
        public double uttPerSecond() {
            return batch * 1000.0 / medianMs;
        }

        /** Matrix-product GFLOP of one run divided by its median time: the model FLOP rate. */
        public double gemmGflopPerSecond() {
            return gemmFlops / 1e6 / medianMs;
        }
    }

    public record Settings(int batch, int audioFrames, int visualFrames, int iters, int warmup, long seed) {}

    /** Runs both workloads; {@code onDone} sees each measurement as it finishes. */
    public static List<Measurement> run(Backend be, VavlConfig cfg, Settings s, Consumer<Measurement> onDone) {
        return run(be, cfg, s, false, onDone);
    }

    /**
     * As {@link #run(Backend, VavlConfig, Settings, Consumer)}, and with {@code withProfile} the table of
     * every op's time in the timed runs (not the warm-up) goes with each measurement. The matrix-product
     * FLOPs per run are counted either way (through the same proxy; about 1,200 calls a step, so its cost
     * is far below the timing noise).
     */
    public static List<Measurement> run(Backend be, VavlConfig cfg, Settings s, boolean withProfile,
                                        Consumer<Measurement> onDone) {
        return be.call(() -> runHere(be, cfg, s, withProfile, onDone));   // on the backend's own threads
    }

    private static List<Measurement> runHere(Backend be, VavlConfig cfg, Settings s, boolean withProfile,
                                             Consumer<Measurement> onDone) {
        OpProfile profile = new OpProfile();
        Backend ops = profile.wrap(be);
        VavlModel model = new VavlModel(cfg, ParameterStore.fromHost(ops, cfg, WeightInit.initial(cfg, s.seed()), "random init"));
        Batch batch = RandomBatch.of(cfg, s.batch(), s.audioFrames(), s.visualFrames(), s.seed());
        TrainStep step = new TrainStep(model);
        long[] seed = {0};
        List<Measurement> out = new ArrayList<>();
        out.add(measure("train_step", be, s, profile, withProfile, () -> step.run(batch, seed[0]++, false), onDone));
        out.add(measure("infer", be, s, profile, withProfile, () -> Inference.run(model, batch), onDone));
        return out;
    }

    private static Measurement measure(String what, Backend be, Settings s, OpProfile profile, boolean withProfile,
                                       Runnable work, Consumer<Measurement> onDone) {
        for (int i = 0; i < s.warmup(); i++) work.run();
        profile.reset();
        CudaBackend cuda = be instanceof CudaBackend c ? c : null;
        if (cuda != null) cuda.resetPeakBytesInUse();
        double[] ms = new double[s.iters()];
        for (int i = 0; i < ms.length; i++) {
            long t0 = System.nanoTime();
            work.run();
            if (cuda != null) cuda.synchronize();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        Measurement m = new Measurement(what, s.batch(), s.audioFrames(), s.visualFrames(), n, median, sorted[0],
                cuda == null ? -1 : cuda.peakBytesInUse(), profile.gemmFlops() / n, withProfile ? profile.entries() : List.of());
        if (onDone != null) onDone.accept(m);
        return m;
    }
}
