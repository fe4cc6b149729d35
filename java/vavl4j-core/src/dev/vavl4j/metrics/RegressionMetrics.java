package dev.vavl4j.metrics;

/**
 * Concordance correlation coefficient per attribute (biased 1/n statistics, computed in double; an attribute
 * whose denominator is 0 counts as 0, never NaN — spec §9) and their mean.
 */
public record RegressionMetrics(int n, double[] ccc, double cccMean) {

    /** {@code pred} and {@code truth} are row-major [n, attrs]. */
    public static RegressionMetrics of(double[] pred, double[] truth, int n, int attrs) {
        double[] ccc = cccPerAttribute(pred, truth, n, attrs);
        double sum = 0;
        for (double v : ccc) sum += v;
        return new RegressionMetrics(n, ccc, sum / attrs);
    }

    /**
     * CCC of each attribute column; shared with {@link HostLosses#cccLoss} so that the development loss and the
     * reported metric can never disagree. Throws IllegalArgumentException for n or attrs below 1 or arrays that
     * are not [n, attrs].
     */
    static double[] cccPerAttribute(double[] pred, double[] truth, int n, int attrs) {
        if (pred == null || truth == null) throw new IllegalArgumentException("pred and truth must not be null");
        if (n < 1) throw new IllegalArgumentException("no samples (n = " + n + ")");
        if (attrs < 1) throw new IllegalArgumentException("attrs must be >= 1, got " + attrs);
        long size = (long) n * attrs;
        if (pred.length != size || truth.length != size) {
            throw new IllegalArgumentException("expected [" + n + ", " + attrs + "] = " + size + " values, got pred "
                    + pred.length + ", truth " + truth.length);
        }
        double[] ccc = new double[attrs];
        for (int c = 0; c < attrs; c++) {
            double mp = 0, my = 0;
            for (int r = 0; r < n; r++) {
                mp += pred[r * attrs + c];
                my += truth[r * attrs + c];
            }
            mp /= n;
            my /= n;
            // Two passes (means first) rather than sums of squares: no cancellation for large offsets.
            double vp = 0, vy = 0, cov = 0;
            for (int r = 0; r < n; r++) {
                double a = pred[r * attrs + c] - mp, b = truth[r * attrs + c] - my;
                vp += a * a;
                vy += b * b;
                cov += a * b;
            }
            double denom = vp / n + vy / n + (mp - my) * (mp - my);
            ccc[c] = denom == 0 ? 0 : 2 * (cov / n) / denom; // spec §9: zero denominator counts as 0
        }
        return ccc;
    }
}
