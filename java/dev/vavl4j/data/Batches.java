package dev.vavl4j.data;

import dev.vavl4j.model.Batch;
import java.util.List;

/** Batch orders and padded batches. */
public final class Batches {
    private Batches() {}

    /**
     * One epoch's batches of indices into {@code utts}: a shuffle seeded by (seed, epoch), then length
     * bucketing (consecutive windows of {@code 32·batchSize} shuffled utterances are sorted by
     * {@link Utterance#frames()} and cut into batches, and the batch order is shuffled again), so padding
     * stays small while every epoch differs. Every utterance appears exactly once; deterministic in
     * (utts, batchSize, seed, epoch).
     */
    public static List<int[]> trainingOrder(List<Utterance> utts, int batchSize, long seed, int epoch) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Evaluation batches: indices sorted by length (stable), cut into consecutive batches. */
    public static List<int[]> evaluationOrder(List<Utterance> utts, int batchSize) {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * Pads the utterances at {@code idx} into a {@link Batch}. A missing modality has {@code has = false}
     * and a single zero frame. {@code targets} gives each utterance's encoded label row of {@code outputs}
     * values, or is null for unlabelled prediction (labels are then zeros).
     */
    public static Batch assemble(List<Utterance> utts, int[] idx, int audioDim, int visualDim,
                                 java.util.function.Function<Utterance, float[]> targets, int outputs) {
        throw new UnsupportedOperationException("TODO");
    }
}
