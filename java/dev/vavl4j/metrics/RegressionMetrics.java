package dev.vavl4j.metrics;

/**
 * Concordance correlation coefficient per attribute (biased 1/n statistics, computed in double; an attribute
 * whose denominator is 0 counts as 0, never NaN — spec §9) and their mean.
 */
public record RegressionMetrics(int n, double[] ccc, double cccMean) {

    /** {@code pred} and {@code truth} are row-major [n, attrs]. */
    public static RegressionMetrics of(double[] pred, double[] truth, int n, int attrs) {
        throw new UnsupportedOperationException("TODO");
    }
}
