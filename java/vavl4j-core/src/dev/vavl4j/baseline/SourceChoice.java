package dev.vavl4j.baseline;

/**
 * How the model of one source ({@code audio}, {@code visual} or {@code fusion}) was chosen: {@code trainN} and
 * {@code devN} utterances of the Train and Development splits that the source covers, the chosen
 * regularisation strength {@code lambda}, and the development score (accuracy, or mean CCC) and loss
 * (cross-entropy, or mean squared error on the min/max-scaled targets) of the model fitted with it.
 * When either count is 0 no model exists ({@link #fitted()} is false) and the three numbers are 0.
 */
public record SourceChoice(String source, int trainN, int devN, double lambda, double devScore, double devLoss) {
    /** Refuses negative counts. */
    public SourceChoice {
        if (trainN < 0 || devN < 0) throw new IllegalArgumentException(source + ": negative counts " + trainN + ", " + devN);
    }

    /** A source without Train or Development utterances: no model. */
    public static SourceChoice notFitted(String source, int trainN, int devN) {
        return new SourceChoice(source, trainN, devN, 0, 0, 0);
    }

    /** Whether a model was fitted (and {@code lambda}, {@code devScore}, {@code devLoss} mean something). */
    public boolean fitted() {
        return trainN > 0 && devN > 0;
    }
}
