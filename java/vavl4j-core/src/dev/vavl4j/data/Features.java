package dev.vavl4j.data;

/** A [frames, dim] float32 feature matrix, row-major. */
public record Features(float[] values, int frames, int dim) {
    public Features {
        if (frames < 0 || dim < 0) throw new IllegalArgumentException("negative size [" + frames + ", " + dim + "]");
        if ((long) frames * dim != values.length) throw new IllegalArgumentException(values.length + " values for [" + frames + ", " + dim + "]");
    }

    /** The first {@code maxFrames} frames (this when already short enough). */
    public Features capped(int maxFrames) {
        if (maxFrames < 0) throw new IllegalArgumentException("maxFrames must be ≥ 0, got " + maxFrames);
        if (frames <= maxFrames) return this;
        return new Features(java.util.Arrays.copyOf(values, maxFrames * dim), maxFrames, dim);
    }
}
