package dev.vavl4j.backend;

/**
 * Valid-frame mask of a padded batch: frame t of sample b is valid iff {@code t < lengths[b]}.
 * Backends may keep a device copy; the lengths themselves are immutable host data.
 */
public interface SeqMask {
    int batch();

    int time();

    /** Length of sample b, 1 ≤ length ≤ time. */
    int length(int b);

    /** Number of valid (b, t) frames. */
    default int validFrames() {
        int n = 0;
        for (int b = 0; b < batch(); b++) n += length(b);
        return n;
    }
}
