package dev.vavl4j.backend;

/**
 * The gradients {@link Backend#relPosAttentionBackward} writes, one per {@link AttentionInputs} component
 * and shaped like it: dq, dk, dv and dPos are overwritten; dU and dVBias (parameter gradients) are
 * accumulated into.
 */
public record AttentionGrads(Tensor dq, Tensor dk, Tensor dv, Tensor dPos, Tensor dU, Tensor dVBias) {}
