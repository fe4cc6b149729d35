package dev.vavl4j.metrics;

/** The task losses of spec §5 on host arrays, in double: used for the development loss between epochs. */
public final class HostLosses {
    private HostLosses() {}

    /** Mean cross-entropy of softmax(logits) [n, C] against target classes. */
    public static double crossEntropy(float[] logits, int[] target, int n, int classes) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Σ_c (1 − ccc_c) over attributes, [n, attrs] row-major. */
    public static double cccLoss(double[] pred, double[] truth, int n, int attrs) {
        throw new UnsupportedOperationException("TODO");
    }
}
