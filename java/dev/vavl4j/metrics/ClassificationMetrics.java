package dev.vavl4j.metrics;

/**
 * Classification metrics over n samples. Macro averages run over the classes that occur in the truth or the
 * predictions (as scikit-learn does when no label list is given); a class with no predicted samples has
 * precision 0, with no true samples recall 0, and F1 0 when precision + recall is 0. Micro F1 equals
 * accuracy for single-label data. {@code confusion[t][p]} counts samples of true class t predicted as p.
 */
public record ClassificationMetrics(int n, double accuracy, double f1Macro, double f1Micro, double precisionMacro,
                                    double recallMacro, int[][] confusion) {

    /** Throws IllegalArgumentException for mismatched lengths, n = 0 or a class outside [0, classes). */
    public static ClassificationMetrics of(int[] truth, int[] predicted, int classes) {
        throw new UnsupportedOperationException("TODO");
    }
}
