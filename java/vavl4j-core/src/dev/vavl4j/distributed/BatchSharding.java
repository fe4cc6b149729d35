package dev.vavl4j.distributed;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits one training batch (the batch a single process would train on) across {@code world} ranks, and
 * says how each rank's gradient must be weighted so that the sum over ranks is the one-process gradient.
 *
 * <p>A VAVL step (spec §6) has three sub-steps, each a <b>mean over its eligible rows</b>: visual (rows with
 * visual features), audio (rows with audio), fusion (rows with both). If rank r holds n_r,s of the n_s
 * eligible rows of sub-step s and computes the gradient g_r,s of the mean over its own rows, then
 * {@code Σ_r (n_r,s / n_s) · g_r,s} is the gradient of the mean over all n_s rows: each row's term is
 * counted once with weight 1/n_s. That is exact in real arithmetic for any loss that is a mean of per-row
 * terms through per-row computation (cross-entropy, with class weights when the weight is Σ w[y] instead of a
 * count, see {@link #weightedShares}); in float32 the sums are ordered differently, so the results agree to
 * rounding, not bit for bit. It does <b>not</b> hold for a statistic over rows: masked batch norm in train
 * mode (per-shard statistics differ unless synchronised) and the CCC loss (a correlation over all rows).
 *
 * <p>The skip rule (a sub-step with fewer than 2 eligible rows is skipped) is decided on the global count
 * n_s, never per shard: a rank with no eligible row of a sub-step still joins its all-reduce with a zero
 * gradient and weight 0, so every rank runs the same collectives in the same order.
 */
public final class BatchSharding {
    /** The three sub-steps of spec §6, in their order. */
    public enum SubStep { VISUAL, AUDIO, FUSION }

    private BatchSharding() {}

    /**
     * One rank's part: the batch rows it trains on (indices into the batch, ascending), and per sub-step
     * ({@link SubStep} order) the number of its rows that are eligible and the weight of its gradient.
     */
    public record Shard(int rank, int[] rows, int[] eligible, double[] weights) {
        public double weight(SubStep s) {
            return weights[s.ordinal()];
        }

        public int eligible(SubStep s) {
            return eligible[s.ordinal()];
        }
    }

    /**
     * The plan of one batch: its shards and, per sub-step, the global eligible count and whether the
     * sub-step runs (n_s ≥ 2; the same decision on every rank).
     */
    public record Plan(List<Shard> shards, int[] eligible, boolean[] runs) {
        public boolean runs(SubStep s) {
            return runs[s.ordinal()];
        }

        public int eligible(SubStep s) {
            return eligible[s.ordinal()];
        }
    }

    /**
     * Contiguous blocks of {@code batch} rows over {@code world} ranks: sizes differ by at most one, the first
     * {@code batch mod world} ranks hold one more. Every row is in exactly one block. A batch from
     * {@code Batches.trainingOrder} is sorted by length within its bucket, so contiguous blocks also keep each
     * shard's padding small.
     */
    public static int[][] blocks(int batch, int world) {
        if (world < 1) throw new IllegalArgumentException("world size must be ≥ 1, got " + world);
        if (batch < 0) throw new IllegalArgumentException("batch size must be ≥ 0, got " + batch);
        int[][] out = new int[world][];
        int base = batch / world, extra = batch % world, start = 0;
        for (int r = 0; r < world; r++) {
            int n = base + (r < extra ? 1 : 0);
            out[r] = new int[n];
            for (int i = 0; i < n; i++) out[r][i] = start + i;
            start += n;
        }
        return out;
    }

    /** The plan for a batch whose rows have these modalities, in contiguous blocks ({@link #blocks}). */
    public static Plan plan(boolean[] hasAudio, boolean[] hasVisual, int world) {
        if (hasAudio.length != hasVisual.length) throw new IllegalArgumentException(hasAudio.length + " audio flags, " + hasVisual.length + " visual flags");
        double[] ones = new double[hasAudio.length];
        Arrays.fill(ones, 1);
        return weightedPlan(hasAudio, hasVisual, ones, world);
    }

    /**
     * As {@link #plan}, with a weight per row (a class-weighted cross-entropy's w[y_r]; 1 for the plain
     * mean): rank r's gradient weight in sub-step s is its eligible rows' weight sum over the global one.
     */
    public static Plan weightedPlan(boolean[] hasAudio, boolean[] hasVisual, double[] rowWeights, int world) {
        int b = hasAudio.length;
        if (rowWeights.length != b) throw new IllegalArgumentException(rowWeights.length + " row weights for " + b + " rows");
        int[][] blocks = blocks(b, world);
        int subs = SubStep.values().length;
        int[] total = new int[subs];
        double[] totalWeight = new double[subs];
        int[][] count = new int[world][subs];
        double[][] weight = new double[world][subs];
        for (int r = 0; r < world; r++) {
            for (int i : blocks[r]) {
                for (SubStep s : SubStep.values()) {
                    if (!eligible(s, hasAudio[i], hasVisual[i])) continue;
                    count[r][s.ordinal()]++;
                    weight[r][s.ordinal()] += rowWeights[i];
                    total[s.ordinal()]++;
                    totalWeight[s.ordinal()] += rowWeights[i];
                }
            }
        }
        boolean[] runs = new boolean[subs];
        for (int s = 0; s < subs; s++) runs[s] = total[s] >= 2;
        List<Shard> shards = new ArrayList<>(world);
        for (int r = 0; r < world; r++) {
            double[] w = new double[subs];
            for (int s = 0; s < subs; s++) w[s] = runs[s] && totalWeight[s] > 0 ? weight[r][s] / totalWeight[s] : 0;
            shards.add(new Shard(r, blocks[r], count[r], w));
        }
        return new Plan(List.copyOf(shards), total, runs);
    }

    /** {@code weights[r]}: rank r's share of the rows' weight (the plain-mean case: n_r / n). */
    public static double[] weightedShares(double[] rowWeights, int[][] blocks) {
        double total = 0;
        double[] w = new double[blocks.length];
        for (int r = 0; r < blocks.length; r++) {
            for (int i : blocks[r]) w[r] += rowWeights[i];
            total += w[r];
        }
        for (int r = 0; r < w.length; r++) w[r] = total > 0 ? w[r] / total : 0;
        return w;
    }

    /** Whether a row with these modalities takes part in sub-step {@code s} (spec §6). */
    public static boolean eligible(SubStep s, boolean hasAudio, boolean hasVisual) {
        return switch (s) {
            case VISUAL -> hasVisual;
            case AUDIO -> hasAudio;
            case FUSION -> hasAudio && hasVisual;
        };
    }

    /**
     * What the all-reduce computes, on the host: {@code Σ_r weights[r] · grads[r]}, summed in rank order in
     * float32 (each rank pre-scales its gradient by its weight, then the collective sums). For tests and
     * for the CPU fallback of a one-machine run.
     */
    public static float[] combine(List<float[]> grads, double[] weights) {
        if (grads.size() != weights.length) throw new IllegalArgumentException(grads.size() + " gradients, " + weights.length + " weights");
        int n = grads.getFirst().length;
        float[] out = new float[n];
        for (int r = 0; r < grads.size(); r++) {
            float[] g = grads.get(r);
            if (g.length != n) throw new IllegalArgumentException("rank " + r + " gradient has " + g.length + " values, rank 0 " + n);
            float w = (float) weights[r];
            for (int i = 0; i < n; i++) out[i] += w * g[i];
        }
        return out;
    }
}
