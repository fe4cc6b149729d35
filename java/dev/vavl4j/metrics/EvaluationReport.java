package dev.vavl4j.metrics;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Test metrics per prediction source: audio-only (every utterance with audio), visual-only (every one with
 * visual) and fusion (every one with both). {@code labels} are the class names or attribute names.
 */
public record EvaluationReport(String split, List<String> labels, ModalityReport audio, ModalityReport visual,
                               ModalityReport fusion) {

    /**
     * JSON: {"split", "labels", "audio": {...}, "visual": {...}, "fusion": {...}}; each source has "n" and either
     * "accuracy", "f1_macro", "f1_micro", "precision_macro", "recall_macro", "confusion" (rows = truth), or
     * "ccc": {attribute: value} and "ccc_mean". A source with n = 0 has only "n": 0.
     */
    public ObjectNode toJson() {
        throw new UnsupportedOperationException("TODO");
    }

    /** A fixed-width console table: one row per source, one column per metric; confusion matrices after it. */
    public String toTable() {
        throw new UnsupportedOperationException("TODO");
    }
}
