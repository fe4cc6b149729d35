package dev.vavl4j.backend;

/**
 * The per-row statistics {@link Backend#layerNorm} (and {@link Backend#residualLayerNorm}) writes and
 * {@link Backend#layerNormBackward} reads: {@code mean} and {@code rstd} = 1/sqrt(var + eps), one per row
 * of x (both {@code [rows]}, hence a record: a swap would pass every shape check).
 */
public record LayerNormStats(Tensor mean, Tensor rstd) {}
