package dev.vavl4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.data.LabelCodec;
import dev.vavl4j.data.Normalizer;
import dev.vavl4j.io.HostTensor;
import dev.vavl4j.model.ParameterStore;
import dev.vavl4j.model.VavlConfig;
import dev.vavl4j.model.VavlModel;
import dev.vavl4j.model.WeightInit;
import dev.vavl4j.predict.Predictor;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Heap a loaded paper-size model keeps (spec §1 defaults: d 512, 8 heads, 3 + 2 layers, inputs 1024 audio /
 * 1408 visual, 6 classes: 53.9M float32 values with the reconstruction heads), loaded from a full training
 * checkpoint that also holds the Adam moments (twice the weights again). A predictor must keep the weights once,
 * on the backend: retained heap at most 1.15 × what one plain copy of the weights costs in this JVM, and at most
 * 1.15 × their float32 bytes where the GC does not round large arrays up to whole regions (G1 with regions
 * under 16 MiB does: see the comment in the test). Measured as used heap after repeated full GCs, before and
 * after loading, with the loaded objects strongly held. Needs about 2 GB of heap (the default max heap on a
 * machine with 8 GB and more; -Dvavl.test.extraArgLine=-Xmx6g) and skips itself with less.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PaperSizeHeapTest {
    static final double TARGET = 1.15;

    @TempDir
    static Path tmp;
    static Path dir;
    static long weightBytes;

    @BeforeAll
    static void savePaperSizeTrainingCheckpoint() throws IOException {
        assumeTrue(Runtime.getRuntime().maxMemory() >= (2000L << 20),
                "needs -Xmx2g or more (e.g. -Dvavl.test.extraArgLine=-Xmx6g); max heap is " + (Runtime.getRuntime().maxMemory() >> 20) + " MB");
        VavlConfig cfg = VavlConfig.paperDefaults();
        Map<String, HostTensor> weights = WeightInit.initial(cfg, 1);
        for (HostTensor t : weights.values()) weightBytes += 4L * t.size();
        Map<String, HostTensor> adam;
        try (CpuBackend be = new CpuBackend(1)) {
            adam = ParameterStore.fromHost(be, cfg, weights, "initial weights").optimizerToHost();   // what the trainer saves
        }
        List<String> classes = List.of("angry", "sad", "disgust", "fear", "neutral", "happy");
        float[] a = new float[cfg.audioDim()], v = new float[cfg.visualDim()];
        Normalizer norm = new Normalizer(a, ones(a.length), v, ones(v.length));
        dir = tmp.resolve("paper");
        new Checkpoint(cfg, new LabelCodec(cfg.task(), classes, null, null), norm, 0, weights, adam,
                "{\"epochs_done\": 1, \"history\": []}").save(dir);
        assertTrue(Files.size(dir.resolve("optimizer.safetensors")) > 2 * weightBytes, "the Adam moments are saved");
    }

    /** What a predictor holds after loading: the model on its backend and the small parts of the checkpoint. */
    record Loaded(VavlModel model, VavlConfig config, LabelCodec labels, Normalizer normalizer, int maxFrames, Object extra) {}

    interface Load {
        Loaded load(CpuBackend be);
    }

    @Test
    void aLoadedPaperSizeModelKeepsItsWeightsOnce() {
        String source = dir.resolve(Checkpoint.MODEL).toString();
        // What one copy of the weights costs in this JVM. G1 gives an array of half a region or more whole regions
        // of its own: with the 4 MiB regions it picks for a 6 GB heap, a [2048, 512] feed-forward matrix (4 MiB plus
        // the array header) takes 8 MiB and a [1024, 512] one 4 MiB, 1.71 × overall. -XX:G1HeapRegionSize=16m
        // (or another collector) makes it 1.00 ×.
        Measure oneCopy = measure(be -> new Loaded(null, null, null, null, 0, copyOfWeights(Checkpoint.loadForInference(dir).weights())));
        Measure inference = measure(be -> {   // what Predictor does: the loader, the weights uploaded, the host copy dropped
            Checkpoint ck = Checkpoint.loadForInference(dir);
            ParameterStore store = ParameterStore.fromHost(be, ck.config(), ck.weights(), source);
            return new Loaded(new VavlModel(ck.config(), store), ck.config(), ck.labels(), ck.normalizer(), ck.maxFrames(), null);
        });
        Measure fullLoad = measure(be -> {   // the Predictor before: Checkpoint.load (the optimizer too), and the Checkpoint kept
            Checkpoint ck = Checkpoint.load(dir);
            ParameterStore store = ParameterStore.fromHost(be, ck.config(), ck.weights(), source);
            return new Loaded(new VavlModel(ck.config(), store), ck.config(), ck.labels(), ck.normalizer(), ck.maxFrames(), ck);
        });
        Measure predictor = measure(be -> new Loaded(null, null, null, null, 0, Predictor.load(dir, be)));
        System.out.printf(Locale.ROOT, "PaperSizeHeapTest: float32 weights %.1f MB (%,d values), max heap %d MB, %s%n", weightBytes / 1e6,
                weightBytes / 4, Runtime.getRuntime().maxMemory() >> 20,
                ManagementFactory.getGarbageCollectorMXBeans().stream().map(b -> b.getName()).toList());
        report("one plain copy of the weights", oneCopy, oneCopy);
        report("loadForInference + ParameterStore", inference, oneCopy);
        report("load (optimizer too), Checkpoint kept", fullLoad, oneCopy);
        report("Predictor.load", predictor, oneCopy);
        assertTrue(inference.retained() <= TARGET * oneCopy.retained(), "retained " + inference + " vs one copy " + oneCopy);
        assertTrue(predictor.retained() <= TARGET * oneCopy.retained(), "Predictor.load retained " + predictor + " vs one copy " + oneCopy);
        if (oneCopy.ratio() <= 1.05) assertTrue(inference.ratio() <= TARGET, "retained " + inference);   // a GC that does not round up
        assertTrue(fullLoad.retained() > 3.5 * oneCopy.retained(), "the measurement sees weights, Adam moments and the uploaded copy: " + fullLoad);
    }

    private static Map<String, float[]> copyOfWeights(Map<String, HostTensor> w) {
        Map<String, float[]> out = new java.util.HashMap<>();
        w.forEach((k, t) -> out.put(k, t.floats().clone()));
        return out;
    }

    record Measure(long before, long after, long peak) {
        long retained() {
            return after - before;
        }

        /** Retained heap over the float32 bytes of the weights. */
        double ratio() {
            return (double) retained() / weightBytes;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.1f MB = %.3f × the float32 weights (heap %.1f → %.1f MB; heap pools' peak while loading ≤ %.1f MB above)",
                    retained() / 1e6, ratio(), before / 1e6, after / 1e6, (peak - before) / 1e6);
        }
    }

    private static void report(String what, Measure m, Measure oneCopy) {
        System.out.printf(Locale.ROOT, "PaperSizeHeapTest: %-40s retained %s = %.3f × one copy%n", what, m,
                (double) m.retained() / oneCopy.retained());
    }

    private static Measure measure(Load load) {
        try (CpuBackend be = new CpuBackend(1)) {
            long before = usedAfterGc();
            resetPeaks();
            Loaded held = load.load(be);
            long peak = peakUsed();
            long after = usedAfterGc();
            Reference.reachabilityFence(held);
            if (held.extra() instanceof Predictor p) p.close();
            return new Measure(before, after, peak);
        }
    }

    /** Used heap once repeated full collections stop freeing anything. */
    private static long usedAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 6; i++) {
            System.gc();
            long u = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (u >= used - (1 << 16) && i >= 2) return Math.min(u, used);
            used = Math.min(used, u);
        }
        return used;
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) if (p.getType() == MemoryType.HEAP) p.resetPeakUsage();
    }

    /** The sum of the heap pools' peaks: an upper bound of the heap used at any one time since the reset. */
    private static long peakUsed() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) if (p.getType() == MemoryType.HEAP) sum += p.getPeakUsage().getUsed();
        return sum;
    }

    private static float[] ones(int n) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, 1f);
        return v;
    }
}
