package dev.vavl4j.data;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NormalizerInPlaceTest {
    private static Features random(SplittableRandom r, int T, int D, double shift) {
        float[] v = new float[T * D];
        for (int i = 0; i < v.length; i++) v[i] = (float) (shift + 3 * r.nextGaussian());
        return new Features(v, T, D);
    }

    @Test
    void inPlaceGivesTheSameValuesAsTheCopyingApply() {
        SplittableRandom r = new SplittableRandom(4);
        List<Utterance> utts = List.of(
                new Utterance(new ManifestRow(2, "a.wav", "a", Split.TRAIN, null, new double[0]), random(r, 7, 5, 2), random(r, 4, 3, -1)),
                new Utterance(new ManifestRow(3, "b.wav", "b", Split.TRAIN, null, new double[0]), null, random(r, 9, 3, -1)),
                new Utterance(new ManifestRow(4, "c.wav", "c", Split.TRAIN, null, new double[0]), random(r, 3, 5, 2), null));
        Normalizer n = Normalizer.fit(utts, 5, 3);
        List<Utterance> copied = n.apply(utts);
        float[] before = utts.getFirst().audio().values().clone();
        List<Utterance> inPlace = n.applyInPlace(utts);
        assertSame(utts, inPlace);
        assertFalse(java.util.Arrays.equals(before, utts.getFirst().audio().values()), "the arrays were overwritten");
        for (int i = 0; i < utts.size(); i++) {
            if (copied.get(i).hasAudio()) assertArrayEquals(copied.get(i).audio().values(), inPlace.get(i).audio().values(), 0f);
            if (copied.get(i).hasVisual()) assertArrayEquals(copied.get(i).visual().values(), inPlace.get(i).visual().values(), 0f);
        }
        assertNull(inPlace.get(1).audio());
    }
}
