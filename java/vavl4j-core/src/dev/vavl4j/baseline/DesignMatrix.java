package dev.vavl4j.baseline;

import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * A dense row-major {@code [rows, cols]} matrix of doubles: one pooled feature row per utterance.
 * {@link #forEachChunk} is how every loop over rows runs in parallel: the rows are cut into fixed chunks
 * whatever the number of threads, and callers combine per-chunk results in chunk order, so every result is
 * bit-identical from run to run and machine to machine.
 */
record DesignMatrix(double[] values, int rows, int cols) {
    /** Rows per chunk of {@link #forEachChunk}: large enough to amortise a task, small enough to spread work. */
    static final int CHUNK_ROWS = 128;

    DesignMatrix {
        if (rows < 0 || cols < 0) throw new IllegalArgumentException("negative size [" + rows + ", " + cols + "]");
        if ((long) rows * cols != values.length) {
            throw new IllegalArgumentException(values.length + " values for [" + rows + ", " + cols + "]");
        }
    }

    int chunks() {
        return (rows + CHUNK_ROWS - 1) / CHUNK_ROWS;
    }

    int chunkStart(int chunk) {
        return chunk * CHUNK_ROWS;
    }

    int chunkEnd(int chunk) {
        return Math.min(rows, (chunk + 1) * CHUNK_ROWS);
    }

    /** Runs {@code body} once per chunk index, possibly in parallel; each index sees a disjoint row range. */
    void forEachChunk(IntConsumer body) {
        IntStream.range(0, chunks()).parallel().forEach(body);
    }

    /** Dot product of row {@code row} with {@code w[offset .. offset + cols)}. */
    double dotRow(int row, double[] w, int offset) {
        return Linear.dot(values, row * cols, w, offset, cols);
    }
}
