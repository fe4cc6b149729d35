package dev.vavl4j.backend;

/**
 * The gradients of a {@link NormAffine}, accumulated into ({@code +=}) by {@link Backend#layerNormBackward}
 * and {@link Backend#batchNormSwishBackward}. A type of its own so that the parameters and their gradients
 * (all {@code [C]}) cannot be swapped.
 */
public record NormAffineGrads(Tensor dWeight, Tensor dBias) {}
