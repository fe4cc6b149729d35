package dev.vavl4j.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.model.VavlConfig.Task;
import java.util.List;

/**
 * Turns manifest label columns into model targets and model outputs back into answers.
 * Classification: the columns are per-class scores (soft or one-hot); the target is kept as given and the
 * loss uses its first argmax (spec §5); outputs decode to softmax probabilities. Regression: each attribute
 * is min/max scaled to [0, 1] with the training split's minimum and maximum; outputs decode back to the
 * original units.
 */
public record LabelCodec(Task task, List<String> columns, double[] min, double[] max) {

    /**
     * Fits the codec. Classification: every score must be ≥ 0 and each row must have a positive score
     * (else a {@link DataException} naming the manifest line). Regression: a column constant over the
     * training split is an error naming it.
     */
    public static LabelCodec fit(Task task, List<String> columns, List<ManifestRow> train, String source) {
        throw new UnsupportedOperationException("TODO");
    }

    public int outputs() {
        return columns.size();
    }

    /** The model target of one row's raw labels. */
    public float[] encode(double[] raw) {
        throw new UnsupportedOperationException("TODO");
    }

    /** The first argmax of the raw scores (classification). */
    public static int targetClass(double[] raw) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Scores of one model output row: softmax probabilities, or attribute values in original units. */
    public double[] decode(float[] out, int offset) {
        throw new UnsupportedOperationException("TODO");
    }

    /** {"task": ..., "columns": [...], "min": [...], "max": [...]} (min/max only for regression). */
    public ObjectNode toJson() {
        throw new UnsupportedOperationException("TODO");
    }

    public static LabelCodec fromJson(JsonNode node, String source) {
        throw new UnsupportedOperationException("TODO");
    }
}
