package dev.vavl4j.baseline;

/** The few dense kernels the baseline needs, in double. */
final class Linear {
    private Linear() {}

    /**
     * Σ a[ao + k]·b[bo + k] for k < n. Four independent partial sums let the CPU overlap the multiply-adds
     * (one running sum is a chain of dependent additions); the order is fixed, so results are reproducible.
     */
    static double dot(double[] a, int ao, double[] b, int bo, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int k = 0;
        for (; k + 3 < n; k += 4) {
            s0 += a[ao + k] * b[bo + k];
            s1 += a[ao + k + 1] * b[bo + k + 1];
            s2 += a[ao + k + 2] * b[bo + k + 2];
            s3 += a[ao + k + 3] * b[bo + k + 3];
        }
        for (; k < n; k++) s0 += a[ao + k] * b[bo + k];
        return (s0 + s1) + (s2 + s3);
    }

    /** y[yo + k] += alpha·x[xo + k] for k < n. */
    static void axpy(double alpha, double[] x, int xo, double[] y, int yo, int n) {
        for (int k = 0; k < n; k++) y[yo + k] += alpha * x[xo + k];
    }
}
