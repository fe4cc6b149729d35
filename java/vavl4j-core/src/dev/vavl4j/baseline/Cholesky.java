package dev.vavl4j.baseline;

import java.util.stream.IntStream;

/** Cholesky factorisation A = L·Lᵀ of a symmetric positive definite matrix, and solves with it (row-major, double). */
final class Cholesky {
    /** Below this many multiply-adds a column is finished on one thread: forking would cost more than it saves. */
    private static final long PARALLEL_WORK = 1 << 16;

    private Cholesky() {}

    /**
     * The lower factor L of the [n, n] matrix {@code a} (only its lower triangle is read; {@code a} is not
     * changed). Column by column (Cholesky–Crout): the entries below the diagonal of one column are
     * independent, so they are computed in parallel, each by the same fixed-order dot product.
     * Throws IllegalArgumentException when a pivot is not positive (the matrix is not positive definite).
     */
    static double[] factor(double[] a, int n) {
        if (a.length != (long) n * n) throw new IllegalArgumentException(a.length + " values for [" + n + ", " + n + "]");
        double[] l = new double[a.length];
        for (int j = 0; j < n; j++) {
            double pivot = a[j * n + j] - Linear.dot(l, j * n, l, j * n, j);
            if (!(pivot > 0)) throw new IllegalArgumentException("matrix is not positive definite (pivot " + pivot + " at " + j + ")");
            double ljj = Math.sqrt(pivot);
            l[j * n + j] = ljj;
            final int col = j;
            IntStream rows = IntStream.range(j + 1, n);
            if ((long) (n - j - 1) * j > PARALLEL_WORK) rows = rows.parallel();
            rows.forEach(i -> l[i * n + col] = (a[i * n + col] - Linear.dot(l, i * n, l, col * n, col)) / ljj);
        }
        return l;
    }

    /** Solves L·Lᵀ·X = B in place for B [n, rhs] row-major (several right-hand sides at once). */
    static void solveInPlace(double[] l, int n, double[] b, int rhs) {
        if (b.length != (long) n * rhs) throw new IllegalArgumentException(b.length + " values for [" + n + ", " + rhs + "]");
        for (int i = 0; i < n; i++) {   // L·Z = B
            for (int k = 0; k < i; k++) Linear.axpy(-l[i * n + k], b, k * rhs, b, i * rhs, rhs);
            for (int r = 0; r < rhs; r++) b[i * rhs + r] /= l[i * n + i];
        }
        for (int i = n - 1; i >= 0; i--) {   // Lᵀ·X = Z
            for (int k = i + 1; k < n; k++) Linear.axpy(-l[k * n + i], b, k * rhs, b, i * rhs, rhs);
            for (int r = 0; r < rhs; r++) b[i * rhs + r] /= l[i * n + i];
        }
    }
}
