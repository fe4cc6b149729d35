package dev.vavl4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.model.Batch;
import dev.vavl4j.model.SequenceBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BatchesTest {
    /** n utterances of lengths 1..400 drawn at random, some audio only, some visual only. */
    private static List<Utterance> varied(int n) {
        SplittableRandom rng = new SplittableRandom(12345);
        List<Utterance> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = rng.nextInt(1, 401);
            int kind = i % 3;
            out.add(TestData.utt(i + 2, kind != 2 ? len : 0, kind != 1 ? Math.max(1, len / 2) : 0, 1, 1));
        }
        return out;
    }

    private static List<List<Integer>> asLists(List<int[]> batches) {
        return batches.stream().map(b -> Arrays.stream(b).boxed().toList()).toList();
    }

    private static void assertEachIndexOnce(List<int[]> batches, int n) {
        int[] seen = new int[n];
        for (int[] b : batches) for (int i : b) seen[i]++;
        for (int i = 0; i < n; i++) assertEquals(1, seen[i], "index " + i);
    }

    /** Σ over batches of (batch size · longest − Σ lengths): the frames the model would pad. */
    private static long padding(List<Utterance> utts, List<int[]> batches) {
        long pad = 0;
        for (int[] b : batches) {
            int max = 0;
            long sum = 0;
            for (int i : b) {
                max = Math.max(max, utts.get(i).frames());
                sum += utts.get(i).frames();
            }
            pad += (long) b.length * max - sum;
        }
        return pad;
    }

    // ---- training order ----

    @Test
    void everyUtteranceExactlyOnceInFullBatches() {
        for (int n : new int[] {0, 1, 7, 16, 1000, 1234}) {
            List<Utterance> utts = varied(n);
            List<int[]> batches = Batches.trainingOrder(utts, 16, 42, 3);
            assertEachIndexOnce(batches, n);
            long small = batches.stream().filter(b -> b.length != 16).count();
            assertTrue(small <= (n % 16 == 0 ? 0 : 1), "only one batch may be short, n = " + n);
            assertTrue(batches.stream().allMatch(b -> b.length >= 1 && b.length <= 16));
        }
    }

    @Test
    void deterministicInSeedAndEpoch() {
        List<Utterance> utts = varied(700);
        assertEquals(asLists(Batches.trainingOrder(utts, 8, 7, 2)), asLists(Batches.trainingOrder(utts, 8, 7, 2)));
        assertEquals(asLists(Batches.trainingOrder(varied(700), 8, 7, 2)), asLists(Batches.trainingOrder(utts, 8, 7, 2)),
                "equal corpora give equal orders");
    }

    @Test
    void differentEpochsAndSeedsGiveDifferentOrders() {
        List<Utterance> utts = varied(700);
        List<List<Integer>> base = asLists(Batches.trainingOrder(utts, 8, 7, 0));
        for (int epoch = 1; epoch < 6; epoch++) {
            List<List<Integer>> other = asLists(Batches.trainingOrder(utts, 8, 7, epoch));
            assertNotEquals(base, other, "epoch " + epoch);
            assertNotEquals(base.get(0), other.get(0), "the first batch differs too, epoch " + epoch);
        }
        assertNotEquals(base, asLists(Batches.trainingOrder(utts, 8, 8, 0)));
        // seed·φ + epoch: nearby (seed, epoch) pairs must not collide
        assertNotEquals(asLists(Batches.trainingOrder(utts, 8, 1, 0)), asLists(Batches.trainingOrder(utts, 8, 0, 1)));
    }

    @Test
    void bucketingReducesPaddingAgainstARandomOrder() {
        List<Utterance> utts = varied(2000);
        int batch = 16;
        long bucketed = padding(utts, Batches.trainingOrder(utts, batch, 1, 0));
        // the same shuffle without sorting: consecutive batches of a random permutation
        int[] perm = java.util.stream.IntStream.range(0, utts.size()).toArray();
        SplittableRandom rng = new SplittableRandom(99);
        for (int i = perm.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1), t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        List<int[]> random = new ArrayList<>();
        for (int s = 0; s < perm.length; s += batch) random.add(Arrays.copyOfRange(perm, s, Math.min(s + batch, perm.length)));
        long unsorted = padding(utts, random);
        assertTrue(bucketed * 10 < unsorted, "bucketed padding " + bucketed + " vs random " + unsorted);
    }

    @Test
    void batchOrderIsShuffledNotSortedByLength() {
        List<Utterance> utts = varied(256); // one window of 32·8: sorted, then the batches shuffled
        List<int[]> batches = Batches.trainingOrder(utts, 8, 5, 0);
        int[] maxLen = batches.stream().mapToInt(b -> Arrays.stream(b).map(i -> utts.get(i).frames()).max().orElseThrow()).toArray();
        int[] sorted = maxLen.clone();
        Arrays.sort(sorted);
        assertFalse(Arrays.equals(sorted, maxLen), "batches are not in length order");
        // within a batch, lengths are close: all from one sorted window
        for (int[] b : batches) {
            int lo = Arrays.stream(b).map(i -> utts.get(i).frames()).min().orElseThrow();
            int hi = Arrays.stream(b).map(i -> utts.get(i).frames()).max().orElseThrow();
            assertTrue(hi - lo < 60, "batch lengths " + lo + ".." + hi);
        }
    }

    @Test
    void rejectsBatchSizeBelowOne() {
        assertThrows(IllegalArgumentException.class, () -> Batches.trainingOrder(varied(3), 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> Batches.evaluationOrder(varied(3), 0));
    }

    // ---- evaluation order ----

    @Test
    void evaluationOrderIsAStableSortByLengthCutInOrder() {
        List<Utterance> utts = List.of(TestData.utt(2, 5, 0, 1, 1), TestData.utt(3, 2, 0, 1, 1), TestData.utt(4, 0, 5, 1, 1),
                TestData.utt(5, 1, 0, 1, 1), TestData.utt(6, 2, 3, 1, 1));
        List<int[]> batches = Batches.evaluationOrder(utts, 2);
        assertEquals(List.of(List.of(3, 1), List.of(4, 0), List.of(2)), asLists(batches));
        List<Utterance> many = varied(333);
        List<int[]> eval = Batches.evaluationOrder(many, 10);
        assertEachIndexOnce(eval, 333);
        int[] flat = eval.stream().flatMapToInt(Arrays::stream).toArray();
        for (int k = 1; k < flat.length; k++) {
            int a = many.get(flat[k - 1]).frames(), b = many.get(flat[k]).frames();
            assertTrue(a < b || (a == b && flat[k - 1] < flat[k]), "sorted and stable at " + k);
        }
    }

    // ---- assemble ----

    @Test
    void assemblePadsWithZerosAndSetsFlagsLengthsAndLabels() {
        // utterance 0: audio 3 frames, visual 2; 1: audio only, 5 frames; 2: visual only, 4 frames
        List<Utterance> utts = List.of(TestData.utt(2, 3, 2, 2, 3), TestData.utt(3, 5, 0, 2, 3), TestData.utt(4, 0, 4, 2, 3));
        int[] idx = {2, 0, 1};
        Batch b = Batches.assemble(utts, idx, 2, 3, u -> new float[] {u.row().line(), -u.row().line()}, 2);
        assertEquals(3, b.size());
        assertArrayEquals(new boolean[] {false, true, true}, b.hasAudio());
        assertArrayEquals(new boolean[] {true, true, false}, b.hasVisual());
        assertArrayEquals(new float[] {4, -4, 2, -2, 3, -3}, b.labels());
        assertEquals(2, b.outputs());

        SequenceBatch a = b.audio();
        assertEquals(5, a.time(), "the longest audio sequence");
        assertEquals(2, a.dim());
        assertArrayEquals(new int[] {1, 3, 5}, a.lengths());
        checkPadded(a, 0, null);
        checkPadded(a, 1, utts.get(0).audio());
        checkPadded(a, 2, utts.get(1).audio());

        SequenceBatch v = b.visual();
        assertEquals(4, v.time());
        assertEquals(3, v.dim());
        assertArrayEquals(new int[] {4, 2, 1}, v.lengths());
        checkPadded(v, 0, utts.get(2).visual());
        checkPadded(v, 1, utts.get(0).visual());
        checkPadded(v, 2, null);
    }

    /** Sample b of s holds f's frames and zeros after them (all zeros when f is null). */
    private static void checkPadded(SequenceBatch s, int b, Features f) {
        int stride = s.time() * s.dim();
        float[] row = Arrays.copyOfRange(s.x(), b * stride, (b + 1) * stride);
        float[] expected = new float[stride];
        if (f != null) System.arraycopy(f.values(), 0, expected, 0, f.values().length);
        assertArrayEquals(expected, row, "sample " + b);
    }

    @Test
    void aModalityNoSampleHasIsOneZeroFrame() {
        List<Utterance> utts = List.of(TestData.utt(2, 3, 0, 4, 6), TestData.utt(3, 2, 0, 4, 6));
        Batch b = Batches.assemble(utts, new int[] {0, 1}, 4, 6, null, 3);
        assertEquals(1, b.visual().time());
        assertArrayEquals(new int[] {1, 1}, b.visual().lengths());
        assertArrayEquals(new float[12], b.visual().x());
        assertArrayEquals(new float[6], b.labels(), "no targets: zero labels");
        assertEquals(3, b.audio().time());
    }

    @Test
    void assembleRejectsWrongLabelLengthAndWrongDim() {
        List<Utterance> utts = List.of(TestData.utt(2, 3, 1, 2, 3));
        assertThrows(DataException.class, () -> Batches.assemble(utts, new int[] {0}, 2, 3, u -> new float[1], 2));
        DataException e = assertThrows(DataException.class,
                () -> Batches.assemble(utts, new int[] {0}, 4, 3, null, 2));
        assertTrue(e.getMessage().contains("u2") && e.getMessage().contains("audio dim 2, expected 4"), e.getMessage());
    }
}
