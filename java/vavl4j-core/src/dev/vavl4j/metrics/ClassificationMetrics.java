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
        if (truth == null || predicted == null) throw new IllegalArgumentException("truth and predicted must not be null");
        if (truth.length != predicted.length) {
            throw new IllegalArgumentException("length mismatch: " + truth.length + " truths, " + predicted.length
                    + " predictions");
        }
        if (truth.length == 0) throw new IllegalArgumentException("no samples (n = 0)");
        if (classes < 1) throw new IllegalArgumentException("classes must be >= 1, got " + classes);
        int n = truth.length;
        int[][] confusion = new int[classes][classes];
        for (int i = 0; i < n; i++) {
            checkClass("truth", i, truth[i], classes);
            checkClass("predicted", i, predicted[i], classes);
            confusion[truth[i]][predicted[i]]++;
        }

        int correct = 0;
        for (int c = 0; c < classes; c++) correct += confusion[c][c];
        double accuracy = (double) correct / n;

        // Per-class scores, averaged only over the classes seen in truth or predictions: a class that never
        // occurs would otherwise drag the macro averages down with a meaningless 0.
        double sumP = 0, sumR = 0, sumF1 = 0;
        int present = 0;
        for (int c = 0; c < classes; c++) {
            int tp = confusion[c][c];
            int trueCount = 0, predCount = 0;
            for (int k = 0; k < classes; k++) {
                trueCount += confusion[c][k];
                predCount += confusion[k][c];
            }
            if (trueCount == 0 && predCount == 0) continue;
            present++;
            double p = predCount == 0 ? 0 : (double) tp / predCount;
            double r = trueCount == 0 ? 0 : (double) tp / trueCount;
            sumP += p;
            sumR += r;
            sumF1 += p + r == 0 ? 0 : 2 * p * r / (p + r);
        }
        // present >= 1 because n >= 1; micro F1 of single-label data is exactly the accuracy.
        return new ClassificationMetrics(n, accuracy, sumF1 / present, accuracy, sumP / present, sumR / present,
                confusion);
    }

    private static void checkClass(String what, int index, int value, int classes) {
        if (value < 0 || value >= classes) {
            throw new IllegalArgumentException(what + "[" + index + "] = " + value + " is outside [0, " + classes + ")");
        }
    }
}
