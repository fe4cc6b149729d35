package dev.vavl4j.backend;

/**
 * What {@link Backend#relPosAttention} keeps for {@link Backend#relPosAttentionBackward}: the pre-dropout
 * probabilities {@code probs [B, H, T, T]}, which the forward writes, and the dropout draw on them
 * (probability {@code dropout}, counter seed {@code seed}; p = 0 applies none), which the forward applies
 * and the backward regenerates. Passing the same record to both is what keeps the two draws equal.
 */
public record AttentionSaved(Tensor probs, float dropout, long seed) {}
