package dev.vavl4j.backend;

/**
 * Per-channel BatchNorm statistics, {@code mean} and biased {@code var} (both {@code [C]}): the batch's own
 * in train mode ({@link Backend#maskedBatchStats}), the running ones in eval mode. Read by
 * {@link Backend#batchNormSwish} and {@link Backend#batchNormSwishBackward}.
 */
public record BatchStats(Tensor mean, Tensor var) {}
