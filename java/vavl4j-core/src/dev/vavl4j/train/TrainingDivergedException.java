package dev.vavl4j.train;

/** The development loss stopped being finite; the last good epoch stays in {@code out/last}. */
public class TrainingDivergedException extends dev.vavl4j.VavlException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
