package dev.vavl4j.train;

import java.util.List;

/** Progress of a training run, for a user interface; the trainer itself never prints. All methods optional. */
public interface TrainListener {
    /** Features are being read: {@code done} of {@code total} manifest rows. */
    default void onLoading(int done, int total) {}

    /** Data is ready: counts per split and rows skipped for having no features. */
    default void onData(int train, int trainUnimodal, int dev, List<String> skipped) {}

    /**
     * The heads this corpus trains (all three with both modalities; one with an audio-only or visual-only corpus),
     * and so which losses the development loss and the learning curve measure ({@link EpochSummary#trainTaskLoss}).
     */
    default void onHeads(dev.vavl4j.checkpoint.TrainedHeads heads) {}

    /** Training starts (or resumes) at 1-based epoch {@code firstEpoch}. */
    default void onStart(int firstEpoch, int epochs, int batchesPerEpoch, String configSummary) {}

    default void onBatch(int epoch, int batch, int batches) {}

    default void onEvaluating(int epoch, int utterances) {}

    default void onEvaluated(int done) {}

    /** The epoch's summary with the whole history so far (for a learning curve). */
    default void onEpoch(EpochSummary summary, List<EpochSummary> history) {}

    /** Training ended: why, the best epoch and its development loss. */
    default void onFinish(String reason, int bestEpoch, double bestDevLoss) {}
}
