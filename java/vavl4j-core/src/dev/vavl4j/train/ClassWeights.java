package dev.vavl4j.train;

import dev.vavl4j.ConfigException;
import java.util.Arrays;
import java.util.Objects;

/**
 * Per-class loss weights for classification, computed from the Train split's target classes (each row's
 * first argmax, {@link dev.vavl4j.data.LabelCodec#targetClass}). The {@code class_weights} key:
 *
 * <ul>
 *   <li>{@code "none"} ({@link #NONE}, the default): every class weighs 1.</li>
 *   <li>{@code "balanced"} ({@link #BALANCED}): class {@code c} weighs {@code n / (K · n_c)}, where {@code n}
 *       is the number of Train rows, {@code n_c} the number whose target is {@code c}, and {@code K} the
 *       number of classes present in Train (scikit-learn's {@code class_weight='balanced'}). Every class
 *       then carries the same total weight {@code n / K}, and the weights summed over the rows give
 *       {@code n}, so the mean loss keeps its scale.</li>
 * </ul>
 *
 * <p>A class absent from Train gets weight 1 under {@code "balanced"}: it is the target of no training row,
 * so the value never affects the training loss, and 1 leaves any other use (a development or test row of
 * that class) unweighted rather than silently dropped.
 */
public enum ClassWeights {
    NONE("none"),
    BALANCED("balanced");

    /** The {@code class_weights} value. */
    public final String key;

    ClassWeights(String key) {
        this.key = key;
    }

    /** The mode whose {@link #key} is {@code key} (exact, lower case), else a {@link ConfigException} naming {@code class_weights}. */
    public static ClassWeights parse(String key) {
        for (ClassWeights w : values()) if (w.key.equals(key)) return w;
        throw new ConfigException("class_weights must be one of \"none\", \"balanced\", got " + (key == null ? "null" : "\"" + dev.vavl4j.io.JsonFiles.abbreviated(key) + "\""));
    }

    /**
     * The weight of each of {@code numClasses} classes given the target class of every Train row
     * ({@code classes}, each in {@code [0, numClasses)}); a new array of length {@code numClasses}.
     * {@link IllegalArgumentException} when {@code numClasses < 1}, a class is out of range, or
     * {@code "balanced"} gets no rows.
     */
    public float[] compute(int[] classes, int numClasses) {
        Objects.requireNonNull(classes, "classes");
        if (numClasses < 1) throw new IllegalArgumentException("numClasses must be ≥ 1, got " + numClasses);
        long[] count = new long[numClasses];
        for (int i = 0; i < classes.length; i++) {
            int c = classes[i];
            if (c < 0 || c >= numClasses) {
                throw new IllegalArgumentException("target class " + c + " of row " + i + " is outside [0, " + numClasses + ")");
            }
            count[c]++;
        }
        float[] w = new float[numClasses];
        Arrays.fill(w, 1f);
        if (this == NONE) return w;
        if (classes.length == 0) throw new IllegalArgumentException("class_weights \"balanced\" needs at least one training row");
        int present = 0;
        for (long n : count) if (n > 0) present++;
        double n = classes.length;
        for (int c = 0; c < numClasses; c++) {
            if (count[c] > 0) w[c] = (float) (n / ((double) present * count[c]));
        }
        return w;
    }
}
