package dev.vavl4j.model;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * A batch of utterances with audio and/or visual features and labels {@code [B, C]}. A sample without a
 * modality has {@code has = false} there; its rows in that modality's tensor are ignored.
 */
public record Batch(SequenceBatch audio, SequenceBatch visual, boolean[] hasAudio, boolean[] hasVisual,
                    float[] labels, int outputs) {
    public Batch {
        int B = hasAudio.length;
        if (hasVisual.length != B || audio.batch() != B || visual.batch() != B || labels.length != B * outputs) {
            throw new IllegalArgumentException("inconsistent batch sizes: audio " + audio.batch() + ", visual "
                    + visual.batch() + ", flags " + B + "/" + hasVisual.length + ", labels " + labels.length + "/" + outputs);
        }
    }

    public int size() {
        return hasAudio.length;
    }

    public SequenceBatch input(Modality m) {
        return m == Modality.AUDIO ? audio : visual;
    }

    public boolean has(Modality m, int b) {
        return m == Modality.AUDIO ? hasAudio[b] : hasVisual[b];
    }

    /** Indices of the samples with modality m, in batch order. */
    public int[] rowsWith(Modality m) {
        return IntStream.range(0, size()).filter(b -> has(m, b)).toArray();
    }

    /** Indices of the samples with both modalities. */
    public int[] rowsWithBoth() {
        return IntStream.range(0, size()).filter(b -> hasAudio[b] && hasVisual[b]).toArray();
    }

    public float[] labelRows(int[] rows) {
        float[] out = new float[rows.length * outputs];
        for (int i = 0; i < rows.length; i++) System.arraycopy(labels, rows[i] * outputs, out, i * outputs, outputs);
        return out;
    }

    @Override
    public String toString() {
        return "Batch[B=" + size() + ", audio=" + audio + ", visual=" + visual + ", hasAudio=" + Arrays.toString(hasAudio)
                + ", hasVisual=" + Arrays.toString(hasVisual) + "]";
    }
}
