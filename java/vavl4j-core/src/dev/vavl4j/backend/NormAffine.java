package dev.vavl4j.backend;

/**
 * The affine parameters of a normalisation, one per column (channel): y = x̂·weight + bias. Read by
 * {@link Backend#layerNorm}, {@link Backend#residualLayerNorm} and {@link Backend#batchNormSwish}; the
 * weight and bias have the same shape, so as a record they cannot be passed in each other's place.
 */
public record NormAffine(Tensor weight, Tensor bias) {}
