package dev.vavl4j.backend;

/**
 * An opaque float32 tensor owned by a {@link Backend}. Layers only ever hold these handles; the
 * storage (a Java array, device memory) is the backend's business.
 *
 * <p>Matrix ops view a tensor as 2-D: the last dimension is the row width and all leading
 * dimensions are flattened into rows, so a {@code [B, T, d]} activation is a {@code [B*T, d]} matrix.
 */
public interface Tensor {
    int[] shape();

    default int rank() {
        return shape().length;
    }

    default int dim(int i) {
        int[] s = shape();
        return s[i < 0 ? s.length + i : i];
    }

    /** Number of elements. */
    default int size() {
        int n = 1;
        for (int d : shape()) n *= d;
        return n;
    }

    /** Width of the last dimension. */
    default int cols() {
        int[] s = shape();
        return s.length == 0 ? 1 : s[s.length - 1];
    }

    /** Product of all leading dimensions. */
    default int rows() {
        int c = cols();
        return c == 0 ? 0 : size() / c;
    }
}
