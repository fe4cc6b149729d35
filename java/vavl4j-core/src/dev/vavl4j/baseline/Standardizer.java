package dev.vavl4j.baseline;

/**
 * Per-column z-scoring with the training rows' mean and biased standard deviation; a std below
 * {@link #STD_FLOOR} is raised to it, so a column that is constant over Train becomes 0 there (and its
 * weight stays 0: nothing in the data pulls it away from the regulariser's optimum).
 */
record Standardizer(double[] mean, double[] std) {
    static final double STD_FLOOR = 1e-6;

    static Standardizer fit(DesignMatrix train) {
        int n = train.rows(), d = train.cols();
        if (n == 0) throw new IllegalArgumentException("no rows to standardise with");
        double[] x = train.values(), mean = new double[d], std = new double[d];
        for (int i = 0; i < n; i++) Linear.axpy(1, x, i * d, mean, 0, d);
        for (int j = 0; j < d; j++) mean[j] /= n;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double c = x[i * d + j] - mean[j];
                std[j] += c * c;
            }
        }
        for (int j = 0; j < d; j++) std[j] = Math.max(STD_FLOOR, Math.sqrt(std[j] / n));
        return new Standardizer(mean, std);
    }

    /** Standardises {@code m} in place and returns it (the raw pooled rows are not needed afterwards). */
    DesignMatrix applyInPlace(DesignMatrix m) {
        int d = mean.length;
        if (m.cols() != d) throw new IllegalArgumentException(m.cols() + " columns, the standardiser has " + d);
        double[] x = m.values();
        for (int i = 0; i < m.rows(); i++) {
            for (int j = 0; j < d; j++) x[i * d + j] = (x[i * d + j] - mean[j]) / std[j];
        }
        return m;
    }
}
