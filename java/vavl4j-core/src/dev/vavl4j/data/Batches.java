package dev.vavl4j.data;

import dev.vavl4j.model.Batch;
import dev.vavl4j.model.SequenceBatch;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.IntStream;

/** Batch orders and padded batches. */
public final class Batches {
    /** Buckets hold this many batches' worth of utterances: enough to find similar lengths, small enough to stay random. */
    static final int BUCKET_BATCHES = 32;

    private Batches() {}

    /**
     * One epoch's batches of indices into {@code utts}: a shuffle seeded by (seed, epoch), then length
     * bucketing (consecutive windows of {@code 32·batchSize} shuffled utterances are sorted by
     * {@link Utterance#frames()} and cut into batches, and the batch order is shuffled again), so padding
     * stays small while every epoch differs. Every utterance appears exactly once; deterministic in
     * (utts, batchSize, seed, epoch).
     */
    public static List<int[]> trainingOrder(List<Utterance> utts, int batchSize, long seed, int epoch) {
        checkBatchSize(batchSize);
        SplittableRandom rng = random(seed, epoch);
        int[] order = IntStream.range(0, utts.size()).toArray();
        shuffle(order, rng);

        int window = (int) Math.min((long) BUCKET_BATCHES * batchSize, Integer.MAX_VALUE);
        List<int[]> batches = new ArrayList<>();
        for (int start = 0; start < order.length; start += window) {
            int end = (int) Math.min((long) start + window, order.length);
            // Stable sort: equal lengths keep their shuffled order, so ties are random too.
            int[] bucket = IntStream.range(start, end).map(i -> order[i]).boxed()
                    .sorted(Comparator.comparingInt(i -> utts.get(i).frames()))
                    .mapToInt(Integer::intValue).toArray();
            cut(bucket, batchSize, batches);
        }
        // Fisher–Yates over the batches, so long and short batches alternate at random within the epoch.
        for (int i = batches.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int[] tmp = batches.get(i);
            batches.set(i, batches.get(j));
            batches.set(j, tmp);
        }
        return batches;
    }

    /** Evaluation batches: indices sorted by length (stable), cut into consecutive batches. */
    public static List<int[]> evaluationOrder(List<Utterance> utts, int batchSize) {
        checkBatchSize(batchSize);
        int[] sorted = IntStream.range(0, utts.size()).boxed()
                .sorted(Comparator.comparingInt(i -> utts.get(i).frames()))
                .mapToInt(Integer::intValue).toArray();
        List<int[]> batches = new ArrayList<>();
        cut(sorted, batchSize, batches);
        return batches;
    }

    /**
     * Pads the utterances at {@code idx} into a {@link Batch}. A missing modality has {@code has = false}
     * and a single zero frame. {@code targets} gives each utterance's encoded label row of {@code outputs}
     * values, or is null for unlabelled prediction (labels are then zeros).
     */
    public static Batch assemble(List<Utterance> utts, int[] idx, int audioDim, int visualDim,
                                 Function<Utterance, float[]> targets, int outputs) {
        int b = idx.length;
        Features[] audio = new Features[b], visual = new Features[b];
        boolean[] hasAudio = new boolean[b], hasVisual = new boolean[b];
        float[] labels = new float[Math.multiplyExact(b, outputs)];
        for (int i = 0; i < b; i++) {
            Utterance u = utts.get(idx[i]);
            audio[i] = u.audio();
            visual[i] = u.visual();
            hasAudio[i] = u.hasAudio();
            hasVisual[i] = u.hasVisual();
            if (targets != null) {
                float[] y = targets.apply(u);
                if (y.length != outputs) {
                    throw new DataException(u.row().stem() + ": label row of " + y.length + " values, expected " + outputs);
                }
                System.arraycopy(y, 0, labels, i * outputs, outputs);
            }
        }
        return new Batch(pad(audio, audioDim, "audio", utts, idx), pad(visual, visualDim, "visual", utts, idx),
                hasAudio, hasVisual, labels, outputs);
    }

    /** x [B, T, D] with zeros after each sequence; T is the longest present sequence (≥ 1); absent ones get length 1. */
    private static SequenceBatch pad(Features[] seqs, int dim, String modality, List<Utterance> utts, int[] idx) {
        int time = 1;
        for (Features f : seqs) if (f != null) time = Math.max(time, f.frames());
        long size = (long) seqs.length * time * dim;
        if (size > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(modality + " batch too large: [" + seqs.length + ", " + time + ", " + dim + "]");
        float[] x = new float[(int) size];
        int[] lengths = new int[seqs.length];
        for (int i = 0; i < seqs.length; i++) {
            Features f = seqs[i];
            if (f == null) {
                lengths[i] = 1;
                continue;
            }
            if (f.dim() != dim) {
                throw new DataException(utts.get(idx[i]).row().stem() + ": " + modality + " dim " + f.dim() + ", expected " + dim);
            }
            System.arraycopy(f.values(), 0, x, i * time * dim, f.values().length);
            lengths[i] = f.frames();
        }
        return new SequenceBatch(x, lengths, time, dim);
    }

    /** Seeds differ for every (seed, epoch) pair that training uses; the golden-ratio multiplier spreads nearby seeds apart. */
    private static SplittableRandom random(long seed, int epoch) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
    }

    private static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
    }

    private static void cut(int[] order, int batchSize, List<int[]> into) {
        for (int s = 0; s < order.length; s += batchSize) {
            into.add(java.util.Arrays.copyOfRange(order, s, Math.min(s + batchSize, order.length)));
        }
    }

    private static void checkBatchSize(int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be ≥ 1, got " + batchSize);
    }
}
