package dev.vavl4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.ConfigException;
import dev.vavl4j.data.Features;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** {@link Augmentation}: seeded SpecAugment-style masks and Gaussian noise on one utterance's features. */
class AugmentationTest {
    private static final long SEED = 1234;

    /** frames × dim values, none of them 0 (so a 0 in the output was put there by a mask). */
    private static Features random(int frames, int dim, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[frames * dim];
        for (int i = 0; i < v.length; i++) v[i] = (float) (0.5 + r.nextDouble()) * (r.nextBoolean() ? 1 : -1);
        return new Features(v, frames, dim);
    }

    private static int[] bits(Features f) {
        int[] b = new int[f.values().length];
        for (int i = 0; i < b.length; i++) b[i] = Float.floatToRawIntBits(f.values()[i]);
        return b;
    }

    /** For each frame: whether every value of it is 0. */
    private static boolean[] zeroFrames(Features f) {
        boolean[] z = new boolean[f.frames()];
        for (int t = 0; t < f.frames(); t++) {
            boolean all = f.dim() > 0;
            for (int d = 0; d < f.dim(); d++) all &= f.values()[t * f.dim() + d] == 0f;
            z[t] = all;
        }
        return z;
    }

    /** For each dimension: whether it is 0 in every frame. */
    private static boolean[] zeroColumns(Features f) {
        boolean[] z = new boolean[f.dim()];
        for (int d = 0; d < f.dim(); d++) {
            boolean all = f.frames() > 0;
            for (int t = 0; t < f.frames(); t++) all &= f.values()[t * f.dim() + d] == 0f;
            z[d] = all;
        }
        return z;
    }

    /** Lengths of the runs of true. */
    private static int[] runs(boolean[] z) {
        int[] out = new int[z.length];
        int n = 0;
        for (int i = 0; i < z.length; ) {
            if (!z[i]) { i++; continue; }
            int j = i;
            while (j < z.length && z[j]) j++;
            out[n++] = j - i;
            i = j;
        }
        return Arrays.copyOf(out, n);
    }

    private static int count(boolean[] z) {
        int n = 0;
        for (boolean b : z) if (b) n++;
        return n;
    }

    @Test
    void sameSeedEpochUtteranceGivesIdenticalBytes() {
        Augmentation a = new Augmentation(2, 10, 2, 4, 0.3);
        Features in = random(80, 16, 1);
        Features x = a.apply(in, SEED, 3, 17), y = a.apply(in, SEED, 3, 17);
        assertNotSame(x, y);
        assertArrayEquals(bits(x), bits(y));
        // Interleaving other calls changes nothing: the output depends on (seed, epoch, utterance) only.
        a.apply(in, SEED, 4, 18);
        a.apply(random(50, 16, 2), SEED, 3, 16);
        assertArrayEquals(bits(x), bits(a.apply(in, SEED, 3, 17)));
    }

    @Test
    void differentEpochUtteranceOrSeedGiveDifferentMasksAndNoise() {
        Augmentation masksOnly = new Augmentation(2, 20, 2, 6, 0);
        int frames = 200, dim = 40;
        Augmentation.Masks base = masksOnly.masks(frames, dim, SEED, 3, 17);
        for (Augmentation.Masks other : new Augmentation.Masks[] {
                masksOnly.masks(frames, dim, SEED, 4, 17), masksOnly.masks(frames, dim, SEED, 3, 18),
                masksOnly.masks(frames, dim, SEED + 1, 3, 17)}) {
            boolean same = Arrays.equals(base.timeStart(), other.timeStart()) && Arrays.equals(base.timeWidth(), other.timeWidth())
                    && Arrays.equals(base.featureStart(), other.featureStart()) && Arrays.equals(base.featureWidth(), other.featureWidth());
            assertFalse(same, "masks must differ between epochs, utterances and seeds");
        }
        Features in = random(frames, dim, 3);
        int[] x = bits(masksOnly.apply(in, SEED, 3, 17));
        assertFalse(Arrays.equals(x, bits(masksOnly.apply(in, SEED, 4, 17))), "another epoch");
        assertFalse(Arrays.equals(x, bits(masksOnly.apply(in, SEED, 3, 18))), "another utterance");

        Augmentation noise = new Augmentation(0, 0, 0, 0, 0.1);
        int[] n = bits(noise.apply(in, SEED, 3, 17));
        assertFalse(Arrays.equals(n, bits(noise.apply(in, SEED, 4, 17))), "noise in another epoch");
        assertFalse(Arrays.equals(n, bits(noise.apply(in, SEED, 3, 18))), "noise for another utterance");
    }

    @Test
    void appliedOutputMatchesTheDrawnMasks() {
        Augmentation a = new Augmentation(3, 12, 2, 5, 0);
        Features in = random(100, 20, 4);
        for (int u = 0; u < 50; u++) {
            Augmentation.Masks m = a.masks(100, 20, SEED, 0, u);
            boolean[] frameMasked = new boolean[100], dimMasked = new boolean[20];
            for (int k = 0; k < 3; k++) Arrays.fill(frameMasked, m.timeStart()[k], m.timeStart()[k] + m.timeWidth()[k], true);
            for (int k = 0; k < 2; k++) Arrays.fill(dimMasked, m.featureStart()[k], m.featureStart()[k] + m.featureWidth()[k], true);
            Features out = a.apply(in, SEED, 0, u);
            for (int t = 0; t < 100; t++) {
                for (int d = 0; d < 20; d++) {
                    int i = t * 20 + d;
                    float expected = frameMasked[t] || dimMasked[d] ? 0f : in.values()[i];
                    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(out.values()[i]), "utterance " + u + " [" + t + ", " + d + "]");
                }
            }
        }
    }

    @Test
    void timeMasksZeroWholeFramesWithinTheWidthBound() {
        Augmentation a = new Augmentation(1, 10, 0, 0, 0);
        Features in = random(100, 8, 5);
        int[] seenWidth = new int[11];
        boolean startSeen = false, endSeen = false;
        for (int u = 0; u < 2000; u++) {
            Features out = a.apply(in, SEED, 1, u);
            boolean[] z = zeroFrames(out);
            int[] r = runs(z);
            assertTrue(r.length <= 1, "one time mask is one run of frames: " + Arrays.toString(r));
            int width = r.length == 0 ? 0 : r[0];
            assertTrue(width <= 10, "width " + width + " > time_mask_max 10");
            seenWidth[width]++;
            // nothing but whole frames is zeroed
            int zeros = 0;
            for (float v : out.values()) if (v == 0f) zeros++;
            assertEquals(width * 8, zeros);
            startSeen |= z[0];
            endSeen |= z[99];
        }
        for (int w = 0; w <= 10; w++) assertTrue(seenWidth[w] > 0, "width " + w + " never drawn: " + Arrays.toString(seenWidth));
        assertTrue(startSeen && endSeen, "a mask can start at frame 0 and end at the last frame");
    }

    @Test
    void timeMaskWidthIsCappedAtAFifthOfTheSequence() {
        Augmentation a = new Augmentation(1, 1000, 0, 0, 0);
        assertEquals(4, a.maxTimeMaskWidth(20));
        assertEquals(4, a.maxTimeMaskWidth(24));
        assertEquals(0, a.maxTimeMaskWidth(4));
        assertEquals(1000, a.maxTimeMaskWidth(1_000_000));
        assertEquals(3, new Augmentation(1, 3, 0, 0, 0).maxTimeMaskWidth(100));

        Features in = random(20, 6, 6);
        int widest = 0;
        for (int u = 0; u < 300; u++) {
            int masked = count(zeroFrames(a.apply(in, SEED, 0, u)));
            assertTrue(masked <= 4, masked + " of 20 frames masked; the cap is 20% = 4");
            widest = Math.max(widest, masked);
        }
        assertEquals(4, widest, "the cap itself is reachable");

        // Under 5 frames there is no time mask at all.
        Features shortIn = random(4, 6, 7);
        for (int u = 0; u < 50; u++) assertArrayEquals(bits(shortIn), bits(a.apply(shortIn, SEED, 0, u)));

        // Several masks: each is capped, so k masks cover at most k·cap frames.
        Augmentation three = new Augmentation(3, 1000, 0, 0, 0);
        Features mid = random(50, 4, 8);
        for (int u = 0; u < 200; u++) {
            Augmentation.Masks m = three.masks(50, 4, SEED, 2, u);
            for (int w : m.timeWidth()) assertTrue(w >= 0 && w <= 10, "width " + w);
            for (int k = 0; k < 3; k++) assertTrue(m.timeStart()[k] >= 0 && m.timeStart()[k] + m.timeWidth()[k] <= 50);
            assertTrue(count(zeroFrames(three.apply(mid, SEED, 2, u))) <= 30);
        }
    }

    @Test
    void featureMasksZeroWholeColumnsWithinTheWidthBound() {
        Augmentation a = new Augmentation(0, 0, 1, 5, 0);
        Features in = random(30, 24, 9);
        int widest = 0;
        boolean firstSeen = false, lastSeen = false;
        for (int u = 0; u < 300; u++) {
            Features out = a.apply(in, SEED, 7, u);
            boolean[] z = zeroColumns(out);
            int[] r = runs(z);
            assertTrue(r.length <= 1, "one feature mask is one band: " + Arrays.toString(r));
            int width = r.length == 0 ? 0 : r[0];
            assertTrue(width <= 5, "width " + width + " > feature_mask_max 5");
            int zeros = 0;
            for (float v : out.values()) if (v == 0f) zeros++;
            assertEquals(width * 30, zeros, "nothing but whole columns is zeroed");
            assertEquals(0, count(zeroFrames(out)), "no time mask was asked for");
            widest = Math.max(widest, width);
            firstSeen |= z[0];
            lastSeen |= z[23];
        }
        assertEquals(5, widest);
        assertTrue(firstSeen && lastSeen);

        // A mask wider than the features is capped at the dimension.
        Augmentation wide = new Augmentation(0, 0, 1, 100, 0);
        assertEquals(3, wide.maxFeatureMaskWidth(3));
        Features narrow = random(10, 3, 10);
        for (int u = 0; u < 100; u++) {
            for (int w : wide.masks(10, 3, SEED, 0, u).featureWidth()) assertTrue(w <= 3);
            wide.apply(narrow, SEED, 0, u); // must not throw
        }
    }

    @Test
    void inputIsNeverModified() {
        Augmentation a = new Augmentation(2, 10, 2, 4, 0.5);
        Features in = random(60, 12, 11);
        int[] before = bits(in);
        float[] array = in.values();
        Features out = a.apply(in, SEED, 0, 0);
        assertNotSame(in, out);
        assertNotSame(array, out.values());
        assertSame(array, in.values());
        assertArrayEquals(before, bits(in));
        assertEquals(in.frames(), out.frames());
        assertEquals(in.dim(), out.dim());
    }

    @Test
    void offReturnsTheSameObject() {
        Features in = random(40, 8, 12);
        assertTrue(Augmentation.NONE.isOff());
        assertSame(in, Augmentation.NONE.apply(in, SEED, 0, 0));
        assertEquals(new Augmentation(0, 0, 0, 0, 0.0), Augmentation.NONE);
        // counts without widths (and widths without counts) cannot mask anything either
        Augmentation noWidth = new Augmentation(5, 0, 5, 0, 0);
        assertTrue(noWidth.isOff());
        assertSame(in, noWidth.apply(in, SEED, 0, 0));
        assertTrue(new Augmentation(0, 9, 0, 9, 0).isOff());
        assertFalse(new Augmentation(1, 1, 0, 0, 0).isOff());
        assertFalse(new Augmentation(0, 0, 1, 1, 0).isOff());
        assertFalse(new Augmentation(0, 0, 0, 0, 1e-3).isOff());
    }

    @Test
    void noiseHasZeroMeanAndTheConfiguredStd() {
        double std = 0.25;
        Augmentation a = new Augmentation(0, 0, 0, 0, std);
        int frames = 2000, dim = 100;
        Features zeros = new Features(new float[frames * dim], frames, dim);
        Features out = a.apply(zeros, SEED, 5, 9);
        double sum = 0, sq = 0;
        for (float v : out.values()) {
            sum += v;
            sq += (double) v * v;
        }
        int n = out.values().length;
        double mean = sum / n, sd = Math.sqrt(sq / n - mean * mean);
        // standard error of the mean: 0.25 / sqrt(200000) ≈ 5.6e-4; of the std ≈ 4e-4
        assertEquals(0, mean, 3e-3, "mean");
        assertEquals(std, sd, 3e-3, "std");

        // Noise is added, not substituted: out − in has the same statistics on a non-zero input.
        Features in = random(500, 40, 13);
        Features noisy = a.apply(in, SEED, 5, 9);
        double s2 = 0;
        for (int i = 0; i < in.values().length; i++) {
            double d = noisy.values()[i] - in.values()[i];
            s2 += d * d;
        }
        assertEquals(std, Math.sqrt(s2 / in.values().length), 0.01);
    }

    @Test
    void masksStayExactlyZeroWithNoise() {
        Augmentation a = new Augmentation(1, 10, 1, 4, 1.0);
        Features in = random(100, 16, 14);
        int masked = 0;
        for (int u = 0; u < 50; u++) {
            Augmentation.Masks m = a.masks(100, 16, SEED, 0, u);
            Features out = a.apply(in, SEED, 0, u);
            for (int t = m.timeStart()[0]; t < m.timeStart()[0] + m.timeWidth()[0]; t++) {
                for (int d = 0; d < 16; d++) {
                    assertEquals(0, Float.floatToRawIntBits(out.values()[t * 16 + d]), "masked value must be +0.0");
                    masked++;
                }
            }
        }
        assertTrue(masked > 0);
    }

    @Test
    void switchingNoiseOnLeavesTheMasksAlone() {
        Augmentation quiet = new Augmentation(2, 10, 2, 4, 0), loud = new Augmentation(2, 10, 2, 4, 0.7);
        Features in = random(60, 10, 15);
        assertArrayEquals(zeroFrames(quiet.apply(in, SEED, 1, 2)), zeroFrames(loud.apply(in, SEED, 1, 2)));
        assertArrayEquals(zeroColumns(quiet.apply(in, SEED, 1, 2)), zeroColumns(loud.apply(in, SEED, 1, 2)));
    }

    @Test
    void emptyInputsAreFine() {
        Augmentation a = new Augmentation(2, 10, 2, 4, 0.5);
        Features empty = new Features(new float[0], 0, 8);
        Features out = a.apply(empty, SEED, 0, 0);
        assertEquals(0, out.frames());
        assertEquals(8, out.dim());
        assertEquals(0, a.apply(new Features(new float[0], 5, 0), SEED, 0, 0).values().length);
    }

    @Test
    void invalidSettingsNameTheirKey() {
        expect("time_masks", () -> new Augmentation(-1, 0, 0, 0, 0));
        expect("time_mask_max", () -> new Augmentation(0, -1, 0, 0, 0));
        expect("feature_masks", () -> new Augmentation(0, 0, -2, 0, 0));
        expect("feature_mask_max", () -> new Augmentation(0, 0, 0, -3, 0));
        expect("noise_std", () -> new Augmentation(0, 0, 0, 0, -0.1));
        expect("noise_std", () -> new Augmentation(0, 0, 0, 0, Double.NaN));
        expect("noise_std", () -> new Augmentation(0, 0, 0, 0, Double.POSITIVE_INFINITY));
        assertEquals(java.util.List.of("time_masks", "time_mask_max", "feature_masks", "feature_mask_max", "noise_std"), Augmentation.KEYS);
    }

    private static void expect(String key, Executable e) {
        ConfigException x = assertThrows(ConfigException.class, e);
        assertTrue(x.getMessage().startsWith(key + " "), "message should name " + key + ": " + x.getMessage());
    }
}
