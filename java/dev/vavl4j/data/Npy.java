package dev.vavl4j.data;

import java.nio.file.Path;

/**
 * NumPy {@code .npy} files holding one utterance's features: 2-D, {@code [T, D]}, float32 or float64,
 * little-endian, C order (format versions 1.0, 2.0 and 3.0). Values are returned as float32.
 */
public final class Npy {
    private Npy() {}

    /**
     * Reads and validates a feature file. Throws {@link DataException} naming the file and the problem for:
     * a missing file, bad magic (not NPY), unsupported version, a malformed header, a dtype other than
     * f4/f8, big-endian data, Fortran order, a shape that is not 2-D or has a zero dimension, a data
     * section shorter or longer than the shape needs (truncated file), and any NaN or infinite value
     * (naming its frame and dimension).
     */
    public static Features read(Path file) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Writes float32 {@code [frames, dim]} as NPY 1.0, atomically (temp file, then rename). */
    public static void write(Path file, Features features) {
        throw new UnsupportedOperationException("TODO");
    }
}
