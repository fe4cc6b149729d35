package dev.vavl4j.metrics;

/**
 * The metrics of one prediction source ({@code audio}, {@code visual} or {@code fusion}); exactly one of
 * {@code classification} and {@code regression} is set, or neither when the source had no samples (n = 0).
 */
public record ModalityReport(String source, int n, ClassificationMetrics classification, RegressionMetrics regression) {}
