package dev.vavl4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.io.HostTensor;
import dev.vavl4j.model.Modality;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NormalizerTest {
    private static Features f(int frames, int dim, float... v) {
        return new Features(v, frames, dim);
    }

    private static Utterance u(int line, Features audio, Features visual) {
        return new Utterance(TestData.row(line, "u" + line, Split.TRAIN), audio, visual);
    }

    /** Audio frames (1, 10), (3, 10), (5, 10); visual frames 2, 4, 6, 8. */
    private static List<Utterance> handCorpus() {
        return List.of(
                u(2, f(2, 2, 1, 10, 3, 10), null),
                u(3, f(1, 2, 5, 10), f(4, 1, 2, 4, 6, 8)));
    }

    @Test
    void statisticsMatchAHandComputation() {
        Normalizer n = Normalizer.fit(handCorpus(), 2, 1);
        // dim 0: mean 3, population variance (4 + 0 + 4) / 3; dim 1 is constant, so its std is stored as 1
        assertArrayEquals(new float[] {3f, 10f}, n.audioMean());
        assertArrayEquals(new float[] {(float) Math.sqrt(8.0 / 3), 1f}, n.audioStd());
        // visual: mean 5, variance (9 + 1 + 1 + 9) / 4 = 5, counted over all frames of the utterance
        assertArrayEquals(new float[] {5f}, n.visualMean());
        assertArrayEquals(new float[] {(float) Math.sqrt(5)}, n.visualStd());
    }

    @Test
    void applyStandardisesAndLeavesConstantDimsUnscaled() {
        Normalizer n = Normalizer.fit(handCorpus(), 2, 1);
        Features out = n.apply(Modality.AUDIO, f(2, 2, 1, 10, 7, 12));
        float s = (float) Math.sqrt(8.0 / 3);
        assertArrayEquals(new float[] {(1 - 3) / s, 0f, (7 - 3) / s, 2f}, out.values(), 1e-6f);
        assertEquals(2, out.frames());
        Features v = n.apply(Modality.VISUAL, f(1, 1, 10));
        assertEquals((10 - 5) / (float) Math.sqrt(5), v.values()[0], 1e-6f);
    }

    @Test
    void normalisedTrainingFeaturesHaveMeanZeroAndStdOne() {
        List<Utterance> train = List.of(u(2, TestData.features(7, 3, 0.5f), TestData.features(4, 2, 3f)),
                u(3, TestData.features(5, 3, -2f), null));
        Normalizer n = Normalizer.fit(train, 3, 2);
        List<Utterance> z = n.apply(train);
        double[] sum = new double[3], sq = new double[3];
        int frames = 0;
        for (Utterance x : z) {
            for (int t = 0; t < x.audio().frames(); t++) {
                for (int d = 0; d < 3; d++) {
                    double v = x.audio().values()[t * 3 + d];
                    sum[d] += v;
                    sq[d] += v * v;
                }
            }
            frames += x.audio().frames();
        }
        for (int d = 0; d < 3; d++) {
            assertEquals(0, sum[d] / frames, 1e-5);
            assertEquals(1, sq[d] / frames, 1e-5);
        }
    }

    @Test
    void applyToUtterancesKeepsRowsAndMissingModalities() {
        List<Utterance> corpus = handCorpus();
        Normalizer n = Normalizer.fit(corpus, 2, 1);
        List<Utterance> out = n.apply(corpus);
        assertSame(corpus.get(0).row(), out.get(0).row());
        assertNull(out.get(0).visual());
        assertArrayEquals(n.apply(Modality.AUDIO, corpus.get(1).audio()).values(), out.get(1).audio().values());
        assertArrayEquals(new float[] {1f, 10f, 3f, 10f}, corpus.get(0).audio().values(), "the input is not changed");
    }

    @Test
    void aModalityNoUtteranceHasGetsMeanZeroStdOne() {
        Normalizer n = Normalizer.fit(List.of(u(2, f(1, 2, 1, 2), null)), 2, 3);
        assertArrayEquals(new float[3], n.visualMean());
        assertArrayEquals(new float[] {1, 1, 1}, n.visualStd());
    }

    @Test
    void stdBelowOneMillionthIsStoredAsOne() {
        // dim 0 varies by ±4e-7 around 1 (std 4e-7), dim 1 by ±2e-6 (std 2e-6): only dim 0 is left unscaled
        float a = 1f, b = 1.0000008f, c = 0f, d = 4e-6f;
        Normalizer n = Normalizer.fit(List.of(u(2, f(2, 2, a, c, b, d), null)), 2, 0);
        assertEquals(1f, n.audioStd()[0]);
        assertEquals(2e-6, n.audioStd()[1], 1e-9);
    }

    /** 100 000 frames around 10001: a float sum would be off by tens; double accumulation is exact enough. */
    @Test
    void accumulatesInDouble() {
        int frames = 100_000;
        float[] v = new float[frames];
        for (int t = 0; t < frames; t++) v[t] = t % 2 == 0 ? 10000.5f : 10001.5f;
        Normalizer n = Normalizer.fit(List.of(u(2, f(frames, 1, v), null)), 1, 0);
        assertEquals(10001f, n.audioMean()[0]);
        assertEquals(0.5f, n.audioStd()[0], 1e-6f);
    }

    @Test
    void fitRejectsFeaturesOfTheWrongDim() {
        DataException e = assertThrows(DataException.class, () -> Normalizer.fit(List.of(u(9, f(1, 2, 1, 2), null)), 3, 0));
        assertTrue(e.getMessage().contains("line 9: u9 has audio dim 2, expected 3"), e.getMessage());
    }

    @Test
    void tensorRoundTrip() {
        Normalizer n = Normalizer.fit(handCorpus(), 2, 1);
        Map<String, HostTensor> t = n.toTensors();
        assertEquals(List.of("audio.mean", "audio.std", "visual.mean", "visual.std"), List.copyOf(t.keySet()));
        assertEquals(HostTensor.DType.F32, t.get("audio.std").dtype());
        assertArrayEquals(new int[] {2}, t.get("audio.mean").shape());
        assertArrayEquals(new int[] {1}, t.get("visual.std").shape());
        Normalizer back = Normalizer.fromTensors(t, 2, 1, "model.safetensors");
        assertArrayEquals(n.audioMean(), back.audioMean());
        assertArrayEquals(n.audioStd(), back.audioStd());
        assertArrayEquals(n.visualMean(), back.visualMean());
        assertArrayEquals(n.visualStd(), back.visualStd());
        t.get("audio.mean").floats()[0] = 99f;
        assertEquals(3f, n.audioMean()[0], "the tensors are copies");
    }

    private static Map<String, HostTensor> valid() {
        return new LinkedHashMap<>(Normalizer.fit(handCorpus(), 2, 1).toTensors());
    }

    private static void rejects(Map<String, HostTensor> t, String... parts) {
        DataException e = assertThrows(DataException.class, () -> Normalizer.fromTensors(t, 2, 1, "ckpt.safetensors"));
        assertTrue(e.getMessage().startsWith("ckpt.safetensors: "), e.getMessage());
        for (String p : parts) assertTrue(e.getMessage().contains(p), "expected '" + p + "' in: " + e.getMessage());
    }

    @Test
    void fromTensorsRejectsMissingAndExtraNames() {
        Map<String, HostTensor> t = valid();
        t.remove("visual.std");
        rejects(t, "missing tensor 'visual.std'");
        Map<String, HostTensor> extra = valid();
        extra.put("audio.var", HostTensor.ofFloats(new float[] {1, 1}, 2));
        rejects(extra, "unexpected tensor 'audio.var'");
    }

    @Test
    void fromTensorsRejectsWrongShapes() {
        Map<String, HostTensor> t = valid();
        t.put("audio.mean", HostTensor.ofFloats(new float[] {1, 2, 3}, 3));
        rejects(t, "tensor 'audio.mean'", "shape [3], expected [2]");
        Map<String, HostTensor> twoD = valid();
        twoD.put("visual.mean", HostTensor.ofFloats(new float[] {1}, 1, 1));
        rejects(twoD, "tensor 'visual.mean'", "shape [1, 1], expected [1]");
        Map<String, HostTensor> ints = valid();
        ints.put("audio.std", HostTensor.ofInts(new int[] {1, 1}, 2));
        rejects(ints, "tensor 'audio.std'", "dtype I32");
    }

    @Test
    void fromTensorsRejectsNonFiniteValuesAndNonPositiveStd() {
        Map<String, HostTensor> nan = valid();
        nan.put("audio.mean", HostTensor.ofFloats(new float[] {0, Float.NaN}, 2));
        rejects(nan, "tensor 'audio.mean'", "element 1 is NaN");
        Map<String, HostTensor> inf = valid();
        inf.put("visual.std", HostTensor.ofFloats(new float[] {Float.POSITIVE_INFINITY}, 1));
        rejects(inf, "tensor 'visual.std'", "element 0 is Infinity");
        Map<String, HostTensor> zero = valid();
        zero.put("audio.std", HostTensor.ofFloats(new float[] {1, 0}, 2));
        rejects(zero, "tensor 'audio.std'", "element 1 is 0.0");
        Map<String, HostTensor> neg = valid();
        neg.put("visual.std", HostTensor.ofFloats(new float[] {-1}, 1));
        rejects(neg, "tensor 'visual.std'", "must be at least 1.0E-6");
    }

    /** Issue 11: a std that fit never stores (below its 1e-6 floor) is damage, not a scale: it would blow features up. */
    @Test
    void fromTensorsRejectsAStdBelowTheFloorFitUses() {
        for (float tiny : new float[] {1e-30f, Float.MIN_VALUE, 9e-7f}) {
            Map<String, HostTensor> t = valid();
            t.put("audio.std", HostTensor.ofFloats(new float[] {1, tiny}, 2));
            rejects(t, "tensor 'audio.std'", "element 1", "at least 1.0E-6");
        }
        Map<String, HostTensor> floor = valid();
        floor.put("audio.std", HostTensor.ofFloats(new float[] {1, (float) 1e-6}, 2));
        assertEquals((float) 1e-6, Normalizer.fromTensors(floor, 2, 1, "ck").audioStd()[1], "the floor itself is what fit may store");
        // fit never stores less: a dimension with a std just above the floor keeps it, one below is left unscaled
        float[] v = {0f, 2e-6f, 0f, 2e-6f};
        Normalizer n = Normalizer.fit(List.of(u(1, f(4, 1, v), null)), 1, 0);
        assertTrue(n.audioStd()[0] >= (float) 1e-6, "" + n.audioStd()[0]);
        Normalizer.fromTensors(n.toTensors(), 1, 0, "ck");
    }
}
