package dev.vavl4j.layers;

import dev.vavl4j.backend.Tensor;

final class Shapes {
    private Shapes() {}

    /** x's shape with the last dimension replaced. */
    static int[] withCols(Tensor x, int cols) {
        int[] s = x.shape();
        s[s.length - 1] = cols;
        return s;
    }
}
