package dev.vavl4j.metrics;

/** The task losses of spec §5 on host arrays, in double: used for the development loss between epochs. */
public final class HostLosses {
    private HostLosses() {}

    /** Mean cross-entropy of softmax(logits) [n, C] against target classes. */
    public static double crossEntropy(float[] logits, int[] target, int n, int classes) {
        if (logits == null || target == null) throw new IllegalArgumentException("logits and target must not be null");
        if (n < 1) throw new IllegalArgumentException("no samples (n = " + n + ")");
        if (classes < 1) throw new IllegalArgumentException("classes must be >= 1, got " + classes);
        if (logits.length != (long) n * classes) {
            throw new IllegalArgumentException("expected [" + n + ", " + classes + "] logits, got " + logits.length);
        }
        if (target.length != n) throw new IllegalArgumentException("expected " + n + " targets, got " + target.length);
        double loss = 0;
        for (int r = 0; r < n; r++) {
            int t = target[r];
            if (t < 0 || t >= classes) {
                throw new IllegalArgumentException("target[" + r + "] = " + t + " is outside [0, " + classes + ")");
            }
            int o = r * classes;
            // log-softmax with the row maximum subtracted: exp never overflows, and the log of the sum is ≥ 0.
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) max = Math.max(max, logits[o + c]);
            double sum = 0;
            for (int c = 0; c < classes; c++) sum += Math.exp((double) logits[o + c] - max);
            loss += max + Math.log(sum) - logits[o + t];
        }
        return loss / n;
    }

    /** Σ_c (1 − ccc_c) over attributes, [n, attrs] row-major. */
    public static double cccLoss(double[] pred, double[] truth, int n, int attrs) {
        double loss = 0;
        for (double ccc : RegressionMetrics.cccPerAttribute(pred, truth, n, attrs)) loss += 1 - ccc;
        return loss;
    }
}
