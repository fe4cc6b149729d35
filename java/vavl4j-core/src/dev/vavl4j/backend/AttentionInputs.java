package dev.vavl4j.backend;

/**
 * What {@link Backend#relPosAttention} reads, and {@link Backend#relPosAttentionBackward} reads again:
 * q, k, v {@code [B, T, d]}; pos, the projected relative sinusoids {@code [2T−1, d]} (row (i − j) + T − 1);
 * u and vBias, the content and position biases {@code [H, d/H]}. A record of its own (not shared with
 * {@link AttentionGrads}) so that passing gradients where inputs belong does not compile.
 */
public record AttentionInputs(Tensor q, Tensor k, Tensor v, Tensor pos, Tensor u, Tensor vBias) {}
