package dev.vavl4j.model;

import static dev.vavl4j.testutil.Checks.assertClose;
import static dev.vavl4j.testutil.Checks.assertFinite;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vavl4j.io.HostTensor;
import dev.vavl4j.testutil.RandomModels;
import dev.vavl4j.testutil.RandomModels.Pad;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Spec §7: which samples get which predictions, and eval predictions are per-sample. */
class InferenceSubsetBehaviourTest {
    private static final VavlConfig CFG = RandomModels.smallConfig(Map.of("model_dim", 12, "heads", 3,
            "modality_layers", 1, "shared_layers", 1, "outputs", 4));
    private static final Map<String, HostTensor> W = RandomModels.weights(CFG, 80);
    private static final int D = CFG.modelDim(), C = CFG.outputs();

    private static boolean[] flags(String s) {
        boolean[] f = new boolean[s.length()];
        for (int i = 0; i < f.length; i++) f[i] = s.charAt(i) == '1';
        return f;
    }

    private static Inference.Result infer(Batch b) {
        return Inference.run(RandomModels.model(CFG, W), b);
    }

    private static void assertShapes(Inference.Result r, int[] audio, int[] visual, int[] both) {
        assertArrayEquals(audio, r.audio().rows(), "audio rows");
        assertArrayEquals(visual, r.visual().rows(), "visual rows");
        assertArrayEquals(both, r.fusion().rows(), "fusion rows");
        assertEquals(audio.length * D, r.audio().representation().length);
        assertEquals(audio.length * C, r.audio().pred().length);
        assertEquals(visual.length * D, r.visual().representation().length);
        assertEquals(visual.length * C, r.visual().pred().length);
        assertEquals(both.length * C, r.fusion().pred().length);
        assertFinite("audio pred", r.audio().pred());
        assertFinite("visual pred", r.visual().pred());
        assertFinite("fusion pred", r.fusion().pred());
    }

    private static final Batch MIXED = RandomModels.batch(CFG, 81, 6, 7, 5, flags("110111"), flags("101101"), Pad.GARBAGE);

    @Test
    void mixedBatchRowSets() {
        assertShapes(infer(MIXED), new int[] {0, 1, 3, 4, 5}, new int[] {0, 2, 3, 5}, new int[] {0, 3, 5});
    }

    @Test
    void audioOnlyAndVisualOnlyBatches() {
        Batch audioOnly = RandomModels.batch(CFG, 82, 3, 6, 4, flags("111"), flags("000"), Pad.GARBAGE);
        assertShapes(infer(audioOnly), new int[] {0, 1, 2}, new int[0], new int[0]);
        Batch visualOnly = RandomModels.batch(CFG, 83, 2, 6, 4, flags("00"), flags("11"), Pad.GARBAGE);
        assertShapes(infer(visualOnly), new int[0], new int[] {0, 1}, new int[0]);
        Batch single = RandomModels.batch(CFG, 84, 1, 1, 1, flags("1"), flags("1"), Pad.GARBAGE); // T = 1
        assertShapes(infer(single), new int[] {0}, new int[] {0}, new int[] {0});
    }

    /** A row of a [n, w] host matrix. */
    private static float[] row(float[] m, int r, int w) {
        return Arrays.copyOfRange(m, r * w, (r + 1) * w);
    }

    private static int indexOf(int[] rows, int b) {
        for (int i = 0; i < rows.length; i++) if (rows[i] == b) return i;
        return -1;
    }

    @Test
    void evalPredictionOfASampleDoesNotDependOnTheRestOfTheBatch() {
        Inference.Result all = infer(MIXED);
        for (int b = 0; b < MIXED.size(); b++) {
            Inference.Result alone = infer(RandomModels.sample(MIXED, b));
            int ia = indexOf(all.audio().rows(), b), iv = indexOf(all.visual().rows(), b), ib = indexOf(all.fusion().rows(), b);
            assertEquals(ia >= 0, alone.audio().rows().length == 1, "sample " + b + " audio");
            assertEquals(iv >= 0, alone.visual().rows().length == 1, "sample " + b + " visual");
            assertEquals(ib >= 0, alone.fusion().rows().length == 1, "sample " + b + " fusion");
            if (ia >= 0) {
                assertClose("sample " + b + " audio repr", row(all.audio().representation(), ia, D), alone.audio().representation(), 1e-5, 0);
                assertClose("sample " + b + " audio pred", row(all.audio().pred(), ia, C), alone.audio().pred(), 1e-5, 0);
            }
            if (iv >= 0) {
                assertClose("sample " + b + " visual pred", row(all.visual().pred(), iv, C), alone.visual().pred(), 1e-5, 0);
            }
            if (ib >= 0) {
                assertClose("sample " + b + " fusion pred", row(all.fusion().pred(), ib, C), alone.fusion().pred(), 1e-5, 0);
            }
        }
    }

    @Test
    void fusionPredictionUsesBothModalities() {
        // changing only the visual features of a paired sample changes its fusion and visual predictions,
        // but not its audio prediction
        float[] vx = MIXED.visual().x().clone();
        int T = MIXED.visual().time(), Dv = CFG.visualDim();
        for (int i = 0; i < Dv; i++) vx[(3 * T) * Dv + i] += 1f; // sample 3, frame 0
        Batch changed = new Batch(MIXED.audio(), new SequenceBatch(vx, MIXED.visual().lengths(), T, Dv), MIXED.hasAudio(),
                MIXED.hasVisual(), MIXED.labels(), C);
        Inference.Result a = infer(MIXED), b = infer(changed);
        assertArrayEquals(a.audio().pred(), b.audio().pred());
        int iv = indexOf(a.visual().rows(), 3), ib = indexOf(a.fusion().rows(), 3);
        double dv = dev.vavl4j.testutil.Checks.relL2(row(a.visual().pred(), iv, C), row(b.visual().pred(), iv, C));
        double df = dev.vavl4j.testutil.Checks.relL2(row(a.fusion().pred(), ib, C), row(b.fusion().pred(), ib, C));
        org.junit.jupiter.api.Assertions.assertTrue(dv > 1e-4 && df > 1e-4, dv + " / " + df);
        // the other paired samples are untouched
        assertArrayEquals(row(a.fusion().pred(), 0, C), row(b.fusion().pred(), 0, C));
    }
}
