package dev.vavl4j.baseline;

import java.util.List;

/**
 * Chooses the regularisation strength on the Development split: the highest development score (accuracy,
 * or mean CCC); among equal scores the lowest development loss (cross-entropy, or mean squared error on the
 * min/max-scaled targets); among those the largest λ, the simplest model. A NaN score or loss ranks last.
 */
final class LambdaSelection {
    private LambdaSelection() {}

    /** One λ of the grid and how the model fitted with it did on Development. */
    record Candidate(double lambda, double score, double loss) {}

    static Candidate choose(List<Candidate> candidates) {
        if (candidates.isEmpty()) throw new IllegalArgumentException("no candidates to choose from");
        Candidate best = null;
        for (Candidate c : candidates) if (best == null || better(c, best)) best = c;
        return best;
    }

    private static boolean better(Candidate a, Candidate b) {
        int byScore = Double.compare(orWorst(a.score(), -1), orWorst(b.score(), -1));
        if (byScore != 0) return byScore > 0;
        int byLoss = Double.compare(orWorst(a.loss(), 1), orWorst(b.loss(), 1));
        if (byLoss != 0) return byLoss < 0;
        return a.lambda() > b.lambda();
    }

    /** NaN becomes the worst value in the direction {@code sign} (−1: low is bad, +1: high is bad). */
    private static double orWorst(double v, int sign) {
        return Double.isNaN(v) ? sign * Double.POSITIVE_INFINITY : v;
    }
}
