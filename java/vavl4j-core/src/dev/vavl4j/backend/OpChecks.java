package dev.vavl4j.backend;

import java.util.Arrays;

/**
 * The argument checks every backend makes the same way before an op runs, so a wrong shape fails with
 * the same message on the CPU and on a GPU (where it would otherwise corrupt memory).
 */
public final class OpChecks {
    private OpChecks() {}

    /** The GEMM dimensions {m, n, k} of C[m,n] = op(A)[m,k]·op(B)[k,n] on the 2-D views, or a shape error. */
    public static int[] gemmDims(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c) {
        int m = transA ? a.cols() : a.rows();
        int k = transA ? a.rows() : a.cols();
        int kb = transB ? b.cols() : b.rows();
        int n = transB ? b.rows() : b.cols();
        if (k != kb || c.rows() != m || c.cols() != n) {
            throw new IllegalArgumentException("gemm shapes: op(A) " + m + "x" + k + ", op(B) " + kb + "x" + n
                    + ", C " + c.rows() + "x" + c.cols());
        }
        return new int[] {m, n, k};
    }

    /** Every length within [1, time]. */
    public static void maskLengths(int[] lengths, int time) {
        for (int b = 0; b < lengths.length; b++) {
            if (lengths[b] < 1 || lengths[b] > time) {
                throw new IllegalArgumentException("length " + lengths[b] + " of sample " + b + " outside [1, " + time + "]");
            }
        }
    }

    /** The element count of a new tensor, or an error for a negative dimension or one too large for an index. */
    public static int elements(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            n *= d;
        }
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("tensor too large: " + Arrays.toString(shape));
        return (int) n;
    }

    public static void sameSize(Tensor a, Tensor b) {
        if (a.size() != b.size()) throw new IllegalArgumentException("size mismatch: " + a + " vs " + b);
    }

    /** x's row width equals the length of a per-column vector; returns it. */
    public static int checkCols(Tensor x, Tensor perColumn) {
        if (x.cols() != perColumn.size()) throw new IllegalArgumentException("width mismatch: " + x + " vs " + perColumn);
        return x.cols();
    }
}
