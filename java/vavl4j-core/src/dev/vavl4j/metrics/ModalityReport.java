package dev.vavl4j.metrics;

/**
 * The metrics of one prediction source ({@code audio}, {@code visual} or {@code fusion}); exactly one of
 * {@code classification} and {@code regression} is set, or neither when the source had no samples (n = 0).
 */
public record ModalityReport(String source, int n, ClassificationMetrics classification, RegressionMetrics regression) {

    /** Enforces the invariant above, so the report writers never meet a half-filled source. */
    public ModalityReport {
        if (n < 0) throw new IllegalArgumentException(source + ": n must be >= 0, got " + n);
        if (n == 0 && (classification != null || regression != null)) {
            throw new IllegalArgumentException(source + ": a source with n = 0 has no metrics");
        }
        if (n > 0 && (classification == null) == (regression == null)) {
            throw new IllegalArgumentException(source + ": exactly one of classification and regression must be set");
        }
        int metricsN = classification != null ? classification.n() : regression != null ? regression.n() : 0;
        if (metricsN != n) {
            throw new IllegalArgumentException(source + ": n = " + n + " but the metrics cover " + metricsN + " samples");
        }
    }
}
