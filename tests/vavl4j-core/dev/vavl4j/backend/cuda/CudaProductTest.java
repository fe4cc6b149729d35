package dev.vavl4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.checkpoint.Checkpoint;
import dev.vavl4j.data.Corpus;
import dev.vavl4j.data.Manifest;
import dev.vavl4j.data.Split;
import dev.vavl4j.data.Utterance;
import dev.vavl4j.demo.DemoCorpus;
import dev.vavl4j.model.ParamLayout;
import dev.vavl4j.predict.Prediction;
import dev.vavl4j.predict.Predictor;
import dev.vavl4j.predict.Source;
import dev.vavl4j.testutil.TinyRuns;
import dev.vavl4j.train.EpochSummary;
import dev.vavl4j.train.TrainListener;
import dev.vavl4j.train.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The product on the CUDA backend (the CPU emulator in CI, a GPU under gpu-check.sh): the trainer, its
 * checkpoints and resume, the predictor (alone and shared by threads), and device memory over a whole run —
 * each against the same run on the CPU reference. One tiny corpus and one 2-epoch run per device are shared;
 * the run directory of the CUDA run as it stood after epoch 1 is kept for the resume test.
 */
class CudaProductTest {
    /** Relative tolerance of losses and predictions between the devices after two epochs of training. */
    static final double REL = 1e-3;
    static final int EPOCHS = 2;
    static final long SEED = 3;

    @TempDir
    static Path tmp;

    static DemoCorpus.Summary corpus;
    static Trainer.Result cpuRun, cudaRun;
    /** A copy of the CUDA run's output directory taken right after epoch 1 was saved: what a run stopped there leaves. */
    static Path cudaAfterEpoch1;
    /** Counters of the CUDA backend right after Trainer.run, and after it closed. */
    static int blocksAfterRun, liveAfterRun, blocksAfterClose, liveAfterClose;
    static long driverUsedDuringRun, driverUsedBefore, driverUsedAfterReopen;
    static List<Utterance> testUtterances;

    @BeforeAll
    static void trainOnBothDevices() throws IOException {
        corpus = TinyRuns.corpus(tmp.resolve("corpus"), 21);
        cpuRun = Trainer.run(TinyRuns.request(corpus, tmp.resolve("cpu"), TinyRuns.settings(EPOCHS, SEED), false), new CpuBackend(), null);
        CudaBackend be = EmulatedCuda.backend();
        try {
            driverUsedBefore = driverUsed();
            Path cudaOut = tmp.resolve("cuda");
            cudaAfterEpoch1 = tmp.resolve("cuda-after-epoch-1");
            TrainListener snapshot = new TrainListener() {
                @Override
                public void onEpoch(EpochSummary summary, List<EpochSummary> history) {
                    if (summary.epoch() != 1) return;
                    try {
                        copyTree(cudaOut, cudaAfterEpoch1);   // epoch 1's checkpoints are saved when onEpoch runs
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            };
            cudaRun = Trainer.run(TinyRuns.request(corpus, cudaOut, TinyRuns.settings(EPOCHS, SEED), false), be, snapshot);
            be.synchronize();
            blocksAfterRun = be.blocksInUse();
            liveAfterRun = be.liveAllocations();
            driverUsedDuringRun = driverUsed();
        } finally {
            be.close();
        }
        blocksAfterClose = be.blocksInUse();
        liveAfterClose = be.liveAllocations();
        try (CudaBackend again = EmulatedCuda.backend()) {
            driverUsedAfterReopen = driverUsed();
            // the reopened backend works: a tiny product on it
            var t = again.fromHost(new float[] {1, 2, 3, 4}, 2, 2);
            var c = again.zerosPersistent(2, 2);
            again.gemm(t, false, t, false, c, 1f, 0f);
            assertArrayEquals(new float[] {7, 10, 15, 22}, again.toHost(c), "a backend opened after the first closed computes");
        }
        Manifest m = Manifest.read(corpus.manifest(), DemoCorpus.LABELS);
        testUtterances = Corpus.load(m.rows(Split.TEST), corpus.features(), 0, 0, 0, null).split(Split.TEST);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(q);
                else Files.copy(p, q, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** Bytes the driver has handed out on the current context (the emulator's cuMemGetInfo; -1 on a real GPU). */
    private static long driverUsed() {
        if (EmulatedCuda.isRealGpu()) return -1;
        long[] info = CudaDriver.load(EmulatedCuda.locations().cuda()).memGetInfo();
        return info[1] - info[0];
    }

    // ------------------------------------------------------------------ trainer

    @Test
    void trainingLossesAndDevelopmentLossMatchTheCpu() {
        List<EpochSummary> cpu = cpuRun.history(), gpu = cudaRun.history();
        assertEquals(EPOCHS, cpu.size());
        assertEquals(EPOCHS, gpu.size(), "the CUDA run trained every epoch: " + gpu);
        List<String> bad = new ArrayList<>();
        for (int e = 0; e < EPOCHS; e++) {
            EpochSummary c = cpu.get(e), g = gpu.get(e);
            assertEquals(c.epoch(), g.epoch());
            close(bad, "epoch " + c.epoch() + " audio loss", g.audioLoss(), c.audioLoss());
            close(bad, "epoch " + c.epoch() + " visual loss", g.visualLoss(), c.visualLoss());
            close(bad, "epoch " + c.epoch() + " fusion loss", g.fusionLoss(), c.fusionLoss());
            close(bad, "epoch " + c.epoch() + " development loss", g.devLoss(), c.devLoss());
        }
        assertTrue(bad.isEmpty(), () -> "CUDA vs CPU training differs:\n" + String.join("\n", bad) + "\ncpu " + cpu + "\ncuda " + gpu);
        assertEquals(cpuRun.bestEpoch(), cudaRun.bestEpoch(), "the same epoch is the best");
        assertTrue(Double.isFinite(cudaRun.bestDevLoss()) && cudaRun.bestDevLoss() > 0, "a real development loss: " + cudaRun.bestDevLoss());
    }

    private static void close(List<String> bad, String what, double actual, double expected) {
        double err = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-6);
        if (!(err <= REL)) bad.add(what + ": cuda " + actual + ", cpu " + expected + " (rel err " + err + " > " + REL + ")");
    }

    @Test
    void theCheckpointWrittenOnCudaLoadsOnTheCpuAndPredictsTheSame() {
        Checkpoint ck = Checkpoint.load(cudaRun.best());
        assertEquals(cudaRun.bestEpoch(), dev.vavl4j.train.TrainingState.fromJson(ck.trainingJson(), "best").epochsDone(), ck.trainingJson());
        List<Prediction> onCpu = Predictor.load(cudaRun.best(), new CpuBackend()).predictUtterances(testUtterances, null);
        List<Prediction> onCuda;
        try (CudaBackend be = EmulatedCuda.backend()) {
            onCuda = Predictor.load(cudaRun.best(), be).predictUtterances(testUtterances, null);
        }
        assertPredictionsClose(onCpu, onCuda, "the CUDA-trained checkpoint on cpu vs cuda");
        // and the CPU-trained one: the two devices' checkpoints answer alike too
        List<Prediction> cpuTrained = Predictor.load(cpuRun.best(), new CpuBackend()).predictUtterances(testUtterances, null);
        assertPredictionsClose(cpuTrained, onCpu, "the CPU-trained vs the CUDA-trained checkpoint");
    }

    @Test
    void aRunResumedOnCudaEndsAsTheUninterruptedOne() throws IOException {
        // The CUDA run stopped after epoch 1: its directory as it stood then (epoch 1 is what a separate 1-epoch
        // run would compute too, so it is not trained a second time); resumed on a fresh backend.
        Path out = tmp.resolve("cuda-resumed");
        copyTree(cudaAfterEpoch1, out);
        Trainer.Result resumed;
        Checkpoint stopped = Checkpoint.load(out.resolve("last"));
        assertEquals(1, dev.vavl4j.train.TrainingState.fromJson(stopped.trainingJson(), "last").epochsDone(), stopped.trainingJson());
        try (CudaBackend be = EmulatedCuda.backend()) {
            resumed = Trainer.run(TinyRuns.request(corpus, out, TinyRuns.settings(EPOCHS, SEED), true), be, null);
        }
        assertEquals(EPOCHS, resumed.history().size(), resumed.history().toString());
        for (int e = 0; e < EPOCHS; e++) {
            EpochSummary a = resumed.history().get(e), b = cudaRun.history().get(e);
            double[] got = {a.audioLoss(), a.visualLoss(), a.fusionLoss(), a.devLoss()};
            double[] want = {b.audioLoss(), b.visualLoss(), b.fusionLoss(), b.devLoss()};
            if (EmulatedCuda.isRealGpu()) assertArrayEquals(want, got, 1e-5 * Math.abs(want[3]), "epoch " + (e + 1));
            else assertArrayEquals(want, got, "epoch " + (e + 1) + ": the emulator is deterministic, so resume is bit-identical");
        }
        List<float[]> a = weights(Checkpoint.load(out.resolve("last"))), b = weights(Checkpoint.load(cudaRun.last()));
        for (int i = 0; i < a.size(); i++) {
            if (EmulatedCuda.isRealGpu()) assertEquals(0, relErr(a.get(i), b.get(i)), 1e-4, "weight tensor " + i);
            else assertArrayEquals(b.get(i), a.get(i), "weight tensor " + i + " after resume");
        }
    }

    @Test
    void aCpuRunResumedOnCudaMatchesTheCpuRun() throws IOException {
        Path out = tmp.resolve("cpu-then-cuda");
        Trainer.run(TinyRuns.request(corpus, out, TinyRuns.settings(1, SEED), false), new CpuBackend(), null);
        Trainer.Result resumed;
        try (CudaBackend be = EmulatedCuda.backend()) {
            resumed = Trainer.run(TinyRuns.request(corpus, out, TinyRuns.settings(EPOCHS, SEED), true), be, null);
        }
        EpochSummary g = resumed.history().get(EPOCHS - 1), c = cpuRun.history().get(EPOCHS - 1);
        List<String> bad = new ArrayList<>();
        close(bad, "audio loss", g.audioLoss(), c.audioLoss());
        close(bad, "visual loss", g.visualLoss(), c.visualLoss());
        close(bad, "fusion loss", g.fusionLoss(), c.fusionLoss());
        close(bad, "development loss", g.devLoss(), c.devLoss());
        assertTrue(bad.isEmpty(), () -> "epoch 2 on cuda after epoch 1 on cpu: " + bad);
    }

    private static List<float[]> weights(Checkpoint ck) {
        return ck.weights().values().stream().map(t -> t.floats()).toList();
    }

    // ------------------------------------------------------------------ predictor

    @Test
    void predictorAnswersAsOnTheCpuAlsoForOneModality() {
        Predictor cpu = Predictor.load(cpuRun.best(), new CpuBackend());
        List<Predictor.Input> inputs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Utterance u = testUtterances.get(i);
            inputs.add(new Predictor.Input(i % 3 == 1 ? null : u.audio(), i % 3 == 2 ? null : u.visual()));
        }
        try (CudaBackend be = EmulatedCuda.backend()) {
            Predictor gpu = Predictor.load(cpuRun.best(), be);
            assertPredictionsClose(cpu.predictUtterances(testUtterances, null), gpu.predictUtterances(testUtterances, null), "test split");
            List<Prediction> c = cpu.predict(inputs), g = gpu.predict(inputs);
            assertPredictionsClose(c, g, "single-modality inputs");
            assertEquals(Source.VISUAL, g.get(1).used());
            assertEquals(Source.AUDIO, g.get(2).used());
            assertEquals(Source.FUSION, g.get(0).used());
        }
    }

    @Test
    void concurrentPredictionsOnOneCudaBackendAreTheSequentialOnes() throws Exception {
        int threads = 4, rounds = 2;   // every thread asks once for the whole split and once one by one
        try (CudaBackend be = EmulatedCuda.backend()) {
            Predictor p = Predictor.load(cpuRun.best(), be);
            int persistent = be.blocksInUse();
            assertEquals(ParamLayout.parameters(p.config()).size() + ParamLayout.buffers(p.config()).size(), persistent,
                    "only the weights and batch-norm buffers are on the device before predicting");
            List<Prediction> sequential = p.predictUtterances(testUtterances, null);
            List<Prediction> singles = new ArrayList<>();
            for (Utterance u : testUtterances.subList(0, 5)) singles.add(p.predictUtterances(List.of(u), null).getFirst());
            assertPredictionsClose(sequential.subList(0, 5), singles, "one at a time vs in a batch");
            int live = be.liveAllocations();
            for (int i = 0; i < 3; i++) {
                assertSame(sequential, p.predictUtterances(testUtterances, null), "sequential call " + i);
                assertEquals(live, be.liveAllocations(), "raw device allocations after sequential call " + i);
                assertEquals(persistent, be.blocksInUse(), "tensors alive after sequential call " + i);
            }
            CyclicBarrier start = new CyclicBarrier(threads);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<List<List<Prediction>>>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    final int offset = t;
                    futures.add(pool.submit(() -> {
                        start.await(60, TimeUnit.SECONDS);
                        List<List<Prediction>> got = new ArrayList<>();
                        for (int r = 0; r < rounds; r++) {
                            // threads ask in different orders and batch sizes: one by one, or the whole split
                            if ((offset + r) % 2 == 0) got.add(p.predictUtterances(testUtterances, null));
                            else {
                                List<Prediction> one = new ArrayList<>();
                                for (Utterance u : testUtterances.subList(0, 5)) one.add(p.predictUtterances(List.of(u), null).getFirst());
                                got.add(one);
                            }
                        }
                        return got;
                    }));
                }
                for (int t = 0; t < threads; t++) {
                    List<List<Prediction>> got = futures.get(t).get(120, TimeUnit.SECONDS);
                    for (int r = 0; r < rounds; r++) {
                        List<Prediction> g = got.get(r);
                        if (g.size() == testUtterances.size()) assertSame(sequential, g, "thread " + t + " round " + r);
                        else assertSame(singles, g, "thread " + t + " round " + r + " (one at a time)");
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(persistent, be.blocksInUse(), "every workspace of the concurrent calls was released");
            // and a call after the concurrent ones still answers as before
            assertSame(sequential, p.predictUtterances(testUtterances, null), "after the concurrent calls");
        }
    }

    /** Bit-identical answers (the same device, the same batches). */
    private static void assertSame(List<Prediction> want, List<Prediction> got, String what) {
        assertEquals(want.size(), got.size(), what);
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.get(i).used(), got.get(i).used(), what + " utterance " + i);
            assertEquals(want.get(i).answer(), got.get(i).answer(), what + " utterance " + i);
            assertArrayEquals(want.get(i).scores(), got.get(i).scores(), what + " utterance " + i);
        }
    }

    private static void assertPredictionsClose(List<Prediction> want, List<Prediction> got, String what) {
        assertEquals(want.size(), got.size(), what);
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < want.size(); i++) {
            Prediction w = want.get(i), g = got.get(i);
            if (w.used() != g.used()) bad.add(i + ": used " + g.used() + " vs " + w.used());
            double err = relErr(g.scores(), w.scores());
            if (!(err <= REL)) bad.add(i + ": scores " + Arrays.toString(g.scores()) + " vs " + Arrays.toString(w.scores()) + " rel err " + err);
            // the answer may differ only where two classes tie within the tolerance
            if (!w.answer().equals(g.answer()) && !(margin(w.scores()) <= 2 * REL)) bad.add(i + ": answer " + g.answer() + " vs " + w.answer());
        }
        assertTrue(bad.isEmpty(), () -> what + ": " + bad.size() + " of " + want.size() + " predictions differ:\n" + String.join("\n", bad));
    }

    private static double margin(double[] s) {
        double[] c = s.clone();
        Arrays.sort(c);
        return (c[c.length - 1] - c[c.length - 2]) / Math.max(Math.abs(c[c.length - 1]), 1e-6);
    }

    private static double relErr(double[] a, double[] b) {
        if (a == null || b == null || a.length != b.length) return Double.NaN;
        double maxDiff = 0, maxRef = 1e-6;
        for (int i = 0; i < b.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
            maxRef = Math.max(maxRef, Math.abs(b[i]));
        }
        return maxDiff / maxRef;
    }

    private static double relErr(float[] a, float[] b) {
        double[] x = new double[a.length], y = new double[b.length];
        for (int i = 0; i < a.length; i++) x[i] = a[i];
        for (int i = 0; i < b.length; i++) y[i] = b[i];
        return relErr(x, y);
    }

    // ------------------------------------------------------------------ device memory

    @Test
    void afterTrainingOnlyTheModelStaysOnTheDeviceAndCloseFreesEverything() {
        var cfg = Checkpoint.load(cudaRun.last()).config();
        int params = ParamLayout.parameters(cfg).size(), buffers = ParamLayout.buffers(cfg).size();
        // weights, gradients, Adam m and v, and the batch-norm buffers: no tensor of any step or evaluation escaped
        assertEquals(4 * params + buffers, blocksAfterRun, "tensors in use after Trainer.run (" + params + " parameters, "
                + buffers + " buffers)");
        assertTrue(liveAfterRun >= blocksAfterRun, "raw allocations cover the tensors in use: " + liveAfterRun);
        assertEquals(0, blocksAfterClose, "no tensor in use after close");
        assertEquals(0, liveAfterClose, "no raw device allocation after close");
        if (!EmulatedCuda.isRealGpu()) {
            assertTrue(driverUsedDuringRun > driverUsedBefore, "the driver saw the run's memory: " + driverUsedDuringRun);
            assertEquals(driverUsedBefore, driverUsedAfterReopen, "the driver holds no more memory than before the run");
        }
    }
}
