package dev.vavl4j.train;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.data.Features;
import dev.vavl4j.data.ManifestRow;
import dev.vavl4j.data.Split;
import dev.vavl4j.data.Utterance;
import dev.vavl4j.demo.DemoCorpus;
import dev.vavl4j.io.HostTensor;
import dev.vavl4j.io.SafeTensors;
import dev.vavl4j.testutil.TinyRuns;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The small-data options inside the trainer: applied when on, inert when off, and resumable bit for bit. */
class SmallDataTrainingTest {
    @TempDir
    static Path tmp;
    static DemoCorpus.Summary corpus;

    @BeforeAll
    static void makeCorpus() throws Exception {
        corpus = TinyRuns.corpus(tmp.resolve("corpus"), 17);
    }

    /** Every small-data option on at once. */
    private static ObjectNode allOn(int epochs) {
        return TinyRuns.settings(epochs, 4).put("time_masks", 2).put("time_mask_max", 5).put("feature_masks", 1).put("feature_mask_max", 3)
                .put("noise_std", 0.2).put("lr_schedule", "cosine").put("warmup_steps", 2).put("min_lr_factor", 0.1)
                .put("max_grad_norm", 0.5).put("class_weights", "balanced").put("select_on", "score").put("patience", 0);
    }

    private static Trainer.Result train(Path out, ObjectNode settings, boolean resume) throws Exception {
        return Trainer.run(TinyRuns.request(corpus, out, settings, resume), new CpuBackend(), null);
    }

    private static Map<String, HostTensor> weights(Path run) throws Exception {
        return SafeTensors.read(run.resolve("last").resolve("model.safetensors"));
    }

    private static void assertSameWeights(Path a, Path b) throws Exception {
        Map<String, HostTensor> x = weights(a), y = weights(b);
        assertEquals(x.keySet(), y.keySet());
        for (String k : x.keySet()) assertArrayEquals(x.get(k).asFloats(), y.get(k).asFloats(), 0f, k);
    }

    private static boolean sameWeights(Path a, Path b) throws Exception {
        Map<String, HostTensor> x = weights(a), y = weights(b);
        for (String k : x.keySet()) if (!java.util.Arrays.equals(x.get(k).asFloats(), y.get(k).asFloats())) return false;
        return true;
    }

    /** Stops a run right after epoch {@code n} was saved, as a kill would. */
    static final class StopAfter extends RuntimeException {
        StopAfter() {
            super("stopped for the test");
        }
    }

    @Test
    void withEveryOptionOnAResumedRunEndsBitIdentical() throws Exception {
        Path straight = tmp.resolve("straight"), split = tmp.resolve("split");
        Trainer.Result a = train(straight, allOn(3), false);
        // interrupted after epoch 1 with the same settings (the schedule spans all 3 epochs), then resumed
        assertThrows(StopAfter.class, () -> Trainer.run(TinyRuns.request(corpus, split, allOn(3), false), new CpuBackend(), new TrainListener() {
            @Override
            public void onEpoch(EpochSummary s, List<EpochSummary> history) {
                throw new StopAfter();
            }
        }));
        Trainer.Result b = train(split, allOn(3), true);
        assertSameWeights(straight, split);
        assertEquals(a.history().size(), b.history().size());
        for (int i = 0; i < a.history().size(); i++) {
            assertEquals(a.history().get(i).devLoss(), b.history().get(i).devLoss(), 0.0);
            assertEquals(a.history().get(i).audioLoss(), b.history().get(i).audioLoss(), 0.0);
        }
    }

    @Test
    void sameSettingsTwiceGiveTheSameBits() throws Exception {
        train(tmp.resolve("det-a"), allOn(2), false);
        train(tmp.resolve("det-b"), allOn(2), false);
        assertSameWeights(tmp.resolve("det-a"), tmp.resolve("det-b"));
    }

    @Test
    void eachOptionChangesTrainingAndItsOffValueDoesNot() throws Exception {
        Path base = tmp.resolve("opt-base");
        train(base, TinyRuns.settings(1, 4), false);
        // off values spelled out: bit-identical to the defaults
        train(tmp.resolve("opt-off"), TinyRuns.settings(1, 4).put("time_masks", 0).put("noise_std", 0.0).put("lr_schedule", "constant")
                .put("warmup_steps", 0).put("max_grad_norm", 0.0).put("class_weights", "none").put("max_grad_norm", 1e6), false);
        assertSameWeights(base, tmp.resolve("opt-off"));
        Map<String, ObjectNode> on = Map.of(
                "time", TinyRuns.settings(1, 4).put("time_masks", 2).put("time_mask_max", 5),
                "feature", TinyRuns.settings(1, 4).put("feature_masks", 2).put("feature_mask_max", 4),
                "noise", TinyRuns.settings(1, 4).put("noise_std", 0.3),
                "warmup", TinyRuns.settings(1, 4).put("warmup_steps", 3),
                "clip", TinyRuns.settings(1, 4).put("max_grad_norm", 1e-3),
                "weights", TinyRuns.settings(1, 4).put("class_weights", "balanced"));
        for (var e : on.entrySet()) {
            Path out = tmp.resolve("opt-" + e.getKey());
            train(out, e.getValue(), false);
            assertFalse(sameWeights(base, out), e.getKey() + " left training unchanged");
        }
    }

    @Test
    void augmentationMasksCopiesAndLeavesTheCorpusAlone() {
        float[] a = new float[40 * 6], v = new float[30 * 4];
        java.util.Arrays.fill(a, 1f);
        java.util.Arrays.fill(v, 2f);
        ManifestRow row = new ManifestRow(2, "x.wav", "x", Split.TRAIN, "s", new double[] {1, 0}, null);
        List<Utterance> train = List.of(new Utterance(row, new Features(a, 40, 6), new Features(v, 30, 4)));
        TrainSettings s = TrainSettings.fromJson("{\"time_masks\": 3, \"time_mask_max\": 8, \"feature_masks\": 1, \"feature_mask_max\": 2}", "t");
        int zeroA = 0, zeroV = 0;
        for (int epoch = 1; epoch <= 20; epoch++) {
            Utterance u = Trainer.augmented(train, new int[] {0}, s, epoch).getFirst();
            for (float x : u.audio().values()) if (x == 0) zeroA++;
            for (float x : u.visual().values()) if (x == 0) zeroV++;
        }
        assertTrue(zeroA > 0 && zeroV > 0, "masks set values to 0 in both modalities: " + zeroA + ", " + zeroV);
        for (float x : a) assertEquals(1f, x);
        for (float x : v) assertEquals(2f, x);
        // off: the very same utterance object
        assertSame(train.getFirst(), Trainer.augmented(train, new int[] {0}, TrainSettings.defaults(), 1).getFirst());
    }

    @Test
    void selectOnScorePicksTheEpochWithTheBestDevelopmentScore() throws Exception {
        Trainer.Result r = train(tmp.resolve("score"), TinyRuns.settings(4, 4).put("select_on", "score"), false);
        EpochSummary best = null;
        for (EpochSummary e : r.history()) if (TrainingState.improves(TrainSettings.SelectOn.SCORE, e, best)) best = e;
        assertEquals(best.epoch(), r.bestEpoch());
        for (EpochSummary e : r.history()) assertTrue(e.devScore() <= best.devScore());
    }

    @Test
    void resumeRefusesChangedAugmentationOrSchedule() throws Exception {
        Path out = tmp.resolve("changed");
        train(out, allOn(1), false);
        var e = assertThrows(dev.vavl4j.CheckpointException.class, () -> train(out, allOn(2).put("noise_std", 0.5), true));
        assertTrue(e.getMessage().contains("noise_std 0.2 (given 0.5)"), e.getMessage());
        var e2 = assertThrows(dev.vavl4j.CheckpointException.class, () -> train(out, allOn(2).put("lr_schedule", "constant"), true));
        assertTrue(e2.getMessage().contains("lr_schedule"), e2.getMessage());
    }

    @Test
    void aWarmUpAsLongAsTheRunIsRefusedBeforeTraining() {
        var e = assertThrows(dev.vavl4j.ConfigException.class, () -> train(tmp.resolve("warm"), TinyRuns.settings(1, 4).put("warmup_steps", 1000), false));
        assertTrue(e.getMessage().contains("warmup_steps"), e.getMessage());
    }
}
