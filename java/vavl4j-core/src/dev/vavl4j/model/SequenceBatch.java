package dev.vavl4j.model;

import java.util.Arrays;

/**
 * One modality of a padded batch in host memory: {@code x [B, T, D]} row-major and the valid length of
 * each sample. Padded frames may hold anything (spec §2); the model zeroes them on entry.
 */
public record SequenceBatch(float[] x, int[] lengths, int time, int dim) {
    public SequenceBatch {
        if ((long) lengths.length * time * dim != x.length) {
            throw new IllegalArgumentException(x.length + " values for [" + lengths.length + ", " + time + ", " + dim + "]");
        }
        for (int b = 0; b < lengths.length; b++) {
            if (lengths[b] < 1 || lengths[b] > time) {
                throw new IllegalArgumentException("length " + lengths[b] + " of sample " + b + " outside [1, " + time + "]");
            }
        }
    }

    public int batch() {
        return lengths.length;
    }

    /** The samples at {@code rows}, in that order, padded only to their own longest length. */
    public SequenceBatch select(int[] rows) {
        int T = 1;
        for (int r : rows) T = Math.max(T, lengths[r]);
        float[] out = new float[rows.length * T * dim];
        int[] lens = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            lens[i] = lengths[rows[i]];
            System.arraycopy(x, rows[i] * time * dim, out, i * T * dim, T * dim);
        }
        return new SequenceBatch(out, lens, T, dim);
    }

    @Override
    public String toString() {
        return "SequenceBatch[B=" + batch() + ", T=" + time + ", D=" + dim + ", lengths=" + Arrays.toString(lengths) + "]";
    }
}
