package dev.vavl4j.model;

import static dev.vavl4j.testutil.Checks.assertBitEqual;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.io.HostTensor;
import dev.vavl4j.layers.Param;
import dev.vavl4j.testutil.Checks;
import dev.vavl4j.testutil.RandomModels;
import dev.vavl4j.testutil.RandomModels.Pad;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Spec §6/§9: a sub-step with fewer than 2 eligible samples is skipped and touches nothing. */
class SkippedStepBehaviourTest {
    private static final VavlConfig CFG = RandomModels.smallConfig(Map.of("modality_layers", 2));
    private static final Map<String, HostTensor> W = RandomModels.weights(CFG, 21);

    private static boolean[] flags(int... bits) {
        boolean[] f = new boolean[bits.length];
        for (int i = 0; i < bits.length; i++) f[i] = bits[i] != 0;
        return f;
    }

    private record Run(VavlModel model, TrainStep.Report report, Map<String, float[]> before, Map<String, float[]> after) {}

    private static Run step(boolean[] hasA, boolean[] hasV) {
        VavlModel m = RandomModels.model(CFG, W);
        Batch b = RandomModels.batch(CFG, 8, hasA.length, 6, 5, hasA, hasV, Pad.GARBAGE);
        Map<String, float[]> before = Checks.snapshot(m);
        TrainStep.Report r = new TrainStep(m).run(b, 3, false);
        return new Run(m, r, before, Checks.snapshot(m));
    }

    private static boolean under(String name, String... prefixes) {
        for (String p : prefixes) if (name.startsWith(p)) return true;
        return false;
    }

    /** Every tensor under the prefixes is bit-identical after the step, every parameter there has t = 0. */
    private static void assertUntouched(Run run, String... prefixes) {
        int n = 0;
        for (var e : run.before.entrySet()) {
            if (!under(e.getKey(), prefixes)) continue;
            assertBitEqual(e.getKey(), e.getValue(), run.after.get(e.getKey()));
            n++;
        }
        assertTrue(n > 0);
        for (Param p : run.model.store().params().values()) {
            if (under(p.name, prefixes)) assertEquals(0, p.steps(), p.name + " Adam steps");
        }
    }

    /** Every parameter under the prefix has t = steps, and most of them (all but near-zero-gradient ones) moved. */
    private static void assertUpdated(Run run, String prefix, int steps) {
        int moved = 0, total = 0;
        for (Param p : run.model.store().params().values()) {
            if (!p.name.startsWith(prefix)) continue;
            assertEquals(steps, p.steps(), p.name + " Adam steps");
            total++;
            if (Checks.differs(run.before.get(p.name), run.after.get(p.name))) moved++;
        }
        assertTrue(total > 0 && moved == total, prefix + ": " + moved + " of " + total + " parameters moved");
    }

    private static void assertBuffersMoved(Run run, String prefix) {
        run.before.forEach((n, v) -> {
            if (n.startsWith(prefix) && n.contains("running_")) {
                assertTrue(Checks.differs(v, run.after.get(n)), n + " should have been updated");
            }
        });
    }

    @Test
    void visualStepWithOneSampleIsSkippedAudioStepRuns() {
        Run run = step(flags(1, 1, 1, 1), flags(0, 1, 0, 0));
        assertNull(run.report.visual());
        assertNull(run.report.fusion(), "only one sample has both modalities");
        assertNotNull(run.report.audio());
        assertArrayEquals(new int[] {0, 1, 2, 3}, run.report.audio().rows());
        assertUntouched(run, "visual.", "head.visual.", "recon.visual.", "head.fusion.");
        assertUpdated(run, "audio.", 1);
        assertUpdated(run, "shared.", 1); // the audio step only
        assertUpdated(run, "head.audio.", 1);
        assertUpdated(run, "recon.audio.", 1);
        assertBuffersMoved(run, "audio.");
        assertBuffersMoved(run, "shared.");
    }

    @Test
    void noVisualAtAllIsSkipped() {
        Run run = step(flags(1, 1, 1), flags(0, 0, 0));
        assertNull(run.report.visual());
        assertNull(run.report.fusion());
        assertNotNull(run.report.audio());
        assertUntouched(run, "visual.", "head.visual.", "recon.visual.", "head.fusion.");
        assertUpdated(run, "shared.", 1);
    }

    @Test
    void audioStepWithOneSampleIsSkippedVisualStepRuns() {
        Run run = step(flags(0, 0, 1), flags(1, 1, 1));
        assertNull(run.report.audio());
        assertNull(run.report.fusion());
        assertArrayEquals(new int[] {0, 1, 2}, run.report.visual().rows());
        assertUntouched(run, "audio.", "head.audio.", "recon.audio.", "head.fusion.");
        assertUpdated(run, "visual.", 1);
        assertUpdated(run, "shared.", 1);
    }

    @Test
    void fusionStepWithOneSampleHavingBothIsSkipped() {
        // visual: 1,2,3 ; audio: 0,1 ; both: only 1
        Run run = step(flags(1, 1, 0, 0), flags(0, 1, 1, 1));
        assertNotNull(run.report.visual());
        assertNotNull(run.report.audio());
        assertNull(run.report.fusion());
        assertArrayEquals(new int[] {1, 2, 3}, run.report.visual().rows());
        assertArrayEquals(new int[] {0, 1}, run.report.audio().rows());
        assertUntouched(run, "head.fusion.");
        assertUpdated(run, "shared.", 2);
        assertUpdated(run, "visual.", 1);
        assertUpdated(run, "audio.", 1);
    }

    @Test
    void exactlyTwoEligibleSamplesRunEveryStep() {
        Run run = step(flags(1, 0, 1, 0), flags(1, 1, 1, 0));
        assertArrayEquals(new int[] {0, 1, 2}, run.report.visual().rows());
        assertArrayEquals(new int[] {0, 2}, run.report.audio().rows());
        assertNotNull(run.report.fusion());
        assertArrayEquals(new int[] {0, 2}, run.report.fusion().rows());
        assertUpdated(run, "head.fusion.", 1);
        assertUpdated(run, "shared.", 2);
    }

    @Test
    void singleSampleBatchChangesNothing() {
        Run run = step(flags(1), flags(1));
        assertNull(run.report.visual());
        assertNull(run.report.audio());
        assertNull(run.report.fusion());
        assertBitEqual("whole model", run.before, run.after);
        for (Param p : run.model.store().params().values()) assertEquals(0, p.steps(), p.name);
    }

    @Test
    void skippedStepsAreVisibleInTheSubsequentWeightsOnly() {
        // Skipping the visual step must leave the audio step computing exactly what it computes on a batch
        // without any visual data: the shared weights it starts from are the initial ones.
        Run withOneVisual = step(flags(1, 1, 1, 1), flags(0, 1, 0, 0));
        Run noVisual = step(flags(1, 1, 1, 1), flags(0, 0, 0, 0));
        Checks.assertSameSubStep("audio step", noVisual.report.audio(), withOneVisual.report.audio());
        assertBitEqual("after", noVisual.after, withOneVisual.after);
        List.of(withOneVisual, noVisual).forEach(r -> assertNull(r.report.visual()));
    }
}
