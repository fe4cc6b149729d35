package dev.vavl4j.train;

import dev.vavl4j.ConfigException;
import java.util.List;

/**
 * A learning-rate schedule over optimiser steps (batches): the learning rate of step {@code s} of a run of
 * {@code N} steps is {@code lr · factor(s, N)}. Steps count from 1; the caller computes {@code N} as
 * epochs × batches per epoch.
 *
 * <ul>
 *   <li>{@code lr_schedule} ({@link #kind()}): {@code "constant"} (the default) or {@code "cosine"}.</li>
 *   <li>{@code warmup_steps} ({@link #warmupSteps()}, default 0): the factor rises linearly from 0, as
 *       {@code s / W}, reaching 1 at step {@code W}. Applies to both kinds.</li>
 *   <li>{@code min_lr_factor} ({@link #minFactor()}, default 0, in [0, 1]): where cosine decay ends. After
 *       the warm-up, {@code "cosine"} decays as {@code m + (1 − m)·(1 + cos(π·(s − W)/(N − W)))/2}, reaching
 *       exactly {@code m} at the last step {@code N}. {@code "constant"} stays at 1 and ignores it.</li>
 * </ul>
 *
 * <p>A warm-up at least as long as the run is cut to the run ({@code W = min(W, N)}): the factor then only
 * rises and there is no decay; {@link #requireFits} lets a trainer reject that configuration up front.
 * {@code "constant"} with no warm-up ({@link #DEFAULT}) is exactly 1 at every step.
 */
public record LearningRateSchedule(Kind kind, long warmupSteps, double minFactor) {
    /** The schedule's shape. */
    public enum Kind {
        CONSTANT("constant"),
        COSINE("cosine");

        /** The {@code lr_schedule} value. */
        public final String key;

        Kind(String key) {
            this.key = key;
        }

        /** The kind whose {@link #key} is {@code key} (exact, lower case), else a {@link ConfigException} naming {@code lr_schedule}. */
        public static Kind parse(String key) {
            for (Kind k : values()) if (k.key.equals(key)) return k;
            throw new ConfigException("lr_schedule must be one of \"constant\", \"cosine\", got " + (key == null ? "null" : "\"" + dev.vavl4j.io.JsonFiles.abbreviated(key) + "\""));
        }
    }

    /** The configuration keys, in the order of the record components. */
    public static final List<String> KEYS = List.of("lr_schedule", "warmup_steps", "min_lr_factor");

    /** Constant learning rate, no warm-up: factor 1 at every step. The default. */
    public static final LearningRateSchedule DEFAULT = new LearningRateSchedule(Kind.CONSTANT, 0, 0.0);

    /** Throws {@link ConfigException} naming the snake_case key of the first invalid setting. */
    public LearningRateSchedule {
        if (kind == null) throw new ConfigException("lr_schedule must be one of \"constant\", \"cosine\", got null");
        if (warmupSteps < 0) throw new ConfigException("warmup_steps must be ≥ 0, got " + warmupSteps);
        if (!(minFactor >= 0 && minFactor <= 1)) throw new ConfigException("min_lr_factor must be in [0, 1], got " + minFactor);
    }

    /** The schedule with kind {@code lrSchedule} ({@code "constant"} or {@code "cosine"}); see {@link Kind#parse}. */
    public static LearningRateSchedule of(String lrSchedule, long warmupSteps, double minLrFactor) {
        return new LearningRateSchedule(Kind.parse(lrSchedule), warmupSteps, minLrFactor);
    }

    /**
     * The learning-rate multiplier of step {@code step} (1 ≤ step ≤ totalSteps) of a run of {@code totalSteps}
     * steps, in [0, 1]. A step outside that range is an {@link IllegalArgumentException}.
     */
    public double factor(long step, long totalSteps) {
        if (totalSteps < 1) throw new IllegalArgumentException("totalSteps must be ≥ 1, got " + totalSteps);
        if (step < 1 || step > totalSteps) throw new IllegalArgumentException("step must be in [1, " + totalSteps + "], got " + step);
        long w = Math.min(warmupSteps, totalSteps);
        if (step <= w) return (double) step / w;
        if (kind == Kind.CONSTANT) return 1.0;
        double progress = (double) (step - w) / (totalSteps - w); // in (0, 1], 1 at the last step
        double f = minFactor + (1 - minFactor) * 0.5 * (1 + Math.cos(Math.PI * progress));
        return Math.max(0.0, Math.min(1.0, f));
    }

    /**
     * Throws a {@link ConfigException} naming {@code warmup_steps} when a warm-up lasts the whole run of
     * {@code totalSteps} steps or longer (the learning rate would then spend the run rising, and a cosine
     * schedule would never decay). No warm-up always fits.
     */
    public void requireFits(long totalSteps) {
        if (warmupSteps > 0 && warmupSteps >= totalSteps) {
            throw new ConfigException("warmup_steps (" + warmupSteps + ") must be less than the run's " + totalSteps
                    + " optimizer steps (epochs × batches per epoch)");
        }
    }
}
