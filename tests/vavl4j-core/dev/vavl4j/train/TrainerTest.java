package dev.vavl4j.train;

import static org.junit.jupiter.api.Assertions.*;

import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.checkpoint.Checkpoint;
import dev.vavl4j.demo.DemoCorpus;
import dev.vavl4j.io.HostTensor;
import dev.vavl4j.io.SafeTensors;
import dev.vavl4j.testutil.TinyRuns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    @TempDir
    static Path tmp;
    static DemoCorpus.Summary corpus;

    @BeforeAll
    static void makeCorpus() throws Exception {
        corpus = TinyRuns.corpus(tmp.resolve("corpus"), 11);
    }

    @Test
    void resumedRunEndsBitIdenticalToAnUninterruptedOne() throws Exception {
        Path straight = tmp.resolve("straight"), split = tmp.resolve("split");
        Trainer.Result a = Trainer.run(TinyRuns.request(corpus, straight, TinyRuns.settings(3, 5), false), new CpuBackend(), null);
        Trainer.run(TinyRuns.request(corpus, split, TinyRuns.settings(1, 5), false), new CpuBackend(), null);
        // resume with only --epochs raised, as a user would after an interruption
        var keys = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("epochs", 3);
        Trainer.Result b = Trainer.run(TinyRuns.request(corpus, split, keys, true), new CpuBackend(), null);

        assertEquals(3, b.history().size());
        for (String file : List.of("model.safetensors", "optimizer.safetensors")) {
            Map<String, HostTensor> x = SafeTensors.read(straight.resolve("last").resolve(file)), y = SafeTensors.read(split.resolve("last").resolve(file));
            assertEquals(x.keySet(), y.keySet());
            for (String k : x.keySet()) {
                assertArrayEquals(x.get(k).asFloats(), y.get(k).asFloats(), 0f, file + " " + k);
            }
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(a.history().get(i).devLoss(), b.history().get(i).devLoss(), 0.0, "dev loss of epoch " + (i + 1));
            assertEquals(a.history().get(i).fusionLoss(), b.history().get(i).fusionLoss(), 0.0);
        }
        assertEquals(a.bestEpoch(), b.bestEpoch());
    }

    @Test
    void bestCheckpointIsTheEpochWithLowestDevLoss() throws Exception {
        Path out = tmp.resolve("best");
        Trainer.Result r = TinyRuns.train(corpus, out, 4);
        EpochSummary best = r.history().stream().min((x, y) -> Double.compare(x.devLoss(), y.devLoss())).orElseThrow();
        assertEquals(best.epoch(), r.bestEpoch());
        assertEquals(best.devLoss(), r.bestDevLoss());
        assertEquals(1, r.history().stream().filter(e -> e.epoch() == r.bestEpoch() && e.best()).count());
        Checkpoint ck = Checkpoint.load(out);   // resolves to out/best
        assertEquals(r.bestEpoch(), TrainingState.fromJson(ck.trainingJson(), "best").epochsDone());
        TrainingState last = TrainingState.fromJson(Checkpoint.load(out.resolve("last")).trainingJson(), "last");
        assertEquals(4, last.epochsDone());
        assertEquals(r.history(), last.history(), "the stored history is the run's, exactly");
        assertEquals(r.bestDevLoss(), last.bestDevLoss(), 0.0);
        try (Stream<Path> s = Files.list(out)) {
            List<String> names = s.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of("best", "last"), names, "no temporary or .old directories left behind");
        }
    }

    @Test
    void earlyStoppingStopsAfterPatienceEpochsWithoutImprovement() throws Exception {
        // lr 0 keeps the weights fixed (weight decay 0), so the dev loss never improves after epoch 1
        var cfg = TinyRuns.tinyModel().put("lr", 0.0);
        var settings = TinyRuns.settings(10, 1).put("patience", 2);
        TrainRequest req = new TrainRequest(corpus.manifest(), corpus.features(), dev.vavl4j.model.VavlConfig.Task.CLASSIFICATION,
                DemoCorpus.LABELS, tmp.resolve("patience"), TinyRuns.keys(cfg), TinyRuns.keys(settings), false);
        Trainer.Result r = Trainer.run(req, new CpuBackend(), null);
        assertEquals(3, r.history().size(), "epoch 1 best, then 2 epochs without improvement");
        assertTrue(r.reason().startsWith("stopped early"), r.reason());
        assertEquals(1, r.bestEpoch());
    }

    @Test
    void refusesToOverwriteARunAndToResumeNothing() throws Exception {
        Path out = tmp.resolve("twice");
        TinyRuns.train(corpus, out, 1);
        var e = assertThrows(dev.vavl4j.InvalidInputException.class, () -> TinyRuns.train(corpus, out, 1));
        assertTrue(e.getMessage().contains("--resume"), e.getMessage());
        var e2 = assertThrows(dev.vavl4j.InvalidInputException.class,
                () -> Trainer.run(TinyRuns.request(corpus, tmp.resolve("empty"), TinyRuns.settings(2, 3), true), new CpuBackend(), null));
        assertTrue(e2.getMessage().contains("nothing to resume"), e2.getMessage());
    }

    @Test
    void resumeRejectsAChangedSeedOrModel() throws Exception {
        Path out = tmp.resolve("changed");
        TinyRuns.train(corpus, out, 1);
        var seed = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("epochs", 2).put("seed", 99);
        var e = assertThrows(dev.vavl4j.CheckpointException.class, () -> Trainer.run(TinyRuns.request(corpus, out, seed, true), new CpuBackend(), null));
        assertTrue(e.getMessage().contains("seed"), e.getMessage());
        TrainRequest wider = new TrainRequest(corpus.manifest(), corpus.features(), dev.vavl4j.model.VavlConfig.Task.CLASSIFICATION,
                DemoCorpus.LABELS, out, TinyRuns.keys(TinyRuns.tinyModel().put("model_dim", 32)), TinyRuns.keys(TinyRuns.settings(2, 3)), true);
        var e2 = assertThrows(dev.vavl4j.InvalidInputException.class, () -> Trainer.run(wider, new CpuBackend(), null));
        assertTrue(e2.getMessage().contains("model_dim"), e2.getMessage());
    }

    @Test
    void listenerSeesEveryBatchAndEpoch() throws Exception {
        List<String> events = new ArrayList<>();
        int[] batches = new int[1];
        Trainer.run(TinyRuns.request(corpus, tmp.resolve("listen"), TinyRuns.settings(2, 3), false), new CpuBackend(), new TrainListener() {
            @Override public void onStart(int first, int epochs, int perEpoch, String summary) { events.add("start " + first + "/" + epochs); batches[0] = perEpoch; }
            @Override public void onBatch(int epoch, int batch, int n) { if (batch == n) events.add("batches " + epoch + ":" + n); }
            @Override public void onEpoch(EpochSummary s, List<EpochSummary> h) { events.add("epoch " + s.epoch() + " history " + h.size()); }
            @Override public void onFinish(String reason, int bestEpoch, double loss) { events.add("finish"); }
        });
        assertEquals(List.of("start 1/2", "batches 1:" + batches[0], "epoch 1 history 1", "batches 2:" + batches[0], "epoch 2 history 2", "finish"), events);
    }
}
