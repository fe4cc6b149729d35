package dev.vavl4j.train;

import dev.vavl4j.ConfigException;
import dev.vavl4j.backend.DropoutHash;
import dev.vavl4j.data.Features;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Training-time input augmentation for small data sets: SpecAugment-style time and feature masking (Park et
 * al. 2019, "SpecAugment: A Simple Data Augmentation Method for Automatic Speech Recognition") plus additive
 * Gaussian noise, applied to one modality's {@link Features} of one utterance.
 *
 * <p><b>Where it runs.</b> The trainer applies it to <em>normalised</em> features (after
 * {@link dev.vavl4j.data.Normalizer}), to the Train split only, and only while training; evaluation,
 * development loss and prediction never see it. It touches inputs only, never the model or the optimiser.
 *
 * <ul>
 *   <li>{@code time_masks} ({@link #timeMasks()}): how many time masks. Each sets a run of whole frames to 0.</li>
 *   <li>{@code time_mask_max} ({@link #timeMaskMax()}): the widest a time mask may be, in frames. A mask is
 *       also never wider than {@link #MAX_TIME_MASK_FRACTION_PERCENT}% of the sequence (rounded down, see
 *       {@link #maxTimeMaskWidth}), so a short sequence keeps most of its frames and one under 5 frames gets
 *       no time mask at all. The cap is per mask: with two masks up to 40% of the frames can be masked.</li>
 *   <li>{@code feature_masks} ({@link #featureMasks()}): how many feature masks. Each sets a band of
 *       consecutive feature dimensions to 0 in every frame.</li>
 *   <li>{@code feature_mask_max} ({@link #featureMaskMax()}): the widest a feature mask may be, in dimensions
 *       (and never more than the feature dimension).</li>
 *   <li>{@code noise_std} ({@link #noiseStd()}): the standard deviation of the Gaussian noise added to every
 *       value, in the units of the normalised features (1 = one training-set standard deviation).</li>
 * </ul>
 *
 * <p>Masked values are set to 0, which is the training-set mean after normalisation, so a mask removes
 * information without shifting the input's statistics. Each mask's width is uniform in {@code [0, max]}
 * (so 0, no mask, is possible) and its start is uniform over the positions where it fits; masks may
 * overlap. Noise is added first and the masks are applied after it, so masked values are exactly 0.
 *
 * <p><b>Determinism.</b> Every random choice is a pure function of (seed, epoch, utterance index): the same
 * triple always gives bit-identical output, independently of the order utterances are augmented in, of
 * threads, and of what was augmented before, so a resumed run stays bit-exact. Time masks, feature masks
 * and noise use three independent streams, so switching one on does not change the others. Callers should
 * pass a different seed per modality (e.g. {@code DropoutHash.derive(seed, modality)}) when both
 * modalities of an utterance are augmented, or identically shaped inputs get identical masks.
 *
 * <p>All fields zero ({@link #NONE}) is off: {@link #apply} then returns its input itself.
 */
public record Augmentation(int timeMasks, int timeMaskMax, int featureMasks, int featureMaskMax, double noiseStd) {
    /** No augmentation: the default. */
    public static final Augmentation NONE = new Augmentation(0, 0, 0, 0, 0.0);

    /** The configuration keys, in the order of the record components. */
    public static final List<String> KEYS = List.of("time_masks", "time_mask_max", "feature_masks", "feature_mask_max", "noise_std");

    /** A time mask never covers more than this percentage of a sequence's frames (rounded down). */
    public static final int MAX_TIME_MASK_FRACTION_PERCENT = 20;

    /** Separates augmentation's random streams from the other uses of the training seed. */
    private static final long DOMAIN = 0x4155_474D_454E_5401L; // "AUGMENT" + 1
    private static final long USE_NOISE = 0, USE_TIME = 1, USE_FEATURE = 2;

    /** Throws {@link ConfigException} naming the snake_case key of the first invalid setting. */
    public Augmentation {
        if (timeMasks < 0) throw new ConfigException("time_masks must be ≥ 0, got " + timeMasks);
        if (timeMaskMax < 0) throw new ConfigException("time_mask_max must be ≥ 0, got " + timeMaskMax);
        if (featureMasks < 0) throw new ConfigException("feature_masks must be ≥ 0, got " + featureMasks);
        if (featureMaskMax < 0) throw new ConfigException("feature_mask_max must be ≥ 0, got " + featureMaskMax);
        if (!Double.isFinite(noiseStd) || noiseStd < 0) throw new ConfigException("noise_std must be finite and ≥ 0, got " + noiseStd);
    }

    /** True when {@link #apply} can change nothing: no mask can have a positive width and there is no noise. */
    public boolean isOff() {
        return (timeMasks == 0 || timeMaskMax == 0) && (featureMasks == 0 || featureMaskMax == 0) && noiseStd == 0;
    }

    /**
     * The widest time mask for a sequence of {@code frames} frames: {@link #timeMaskMax()} capped at
     * {@link #MAX_TIME_MASK_FRACTION_PERCENT}% of the frames, rounded down.
     */
    public int maxTimeMaskWidth(int frames) {
        if (frames < 0) throw new IllegalArgumentException("frames must be ≥ 0, got " + frames);
        return (int) Math.min(timeMaskMax, (long) frames * MAX_TIME_MASK_FRACTION_PERCENT / 100);
    }

    /** The widest feature mask for features of dimension {@code dim}: {@link #featureMaskMax()} capped at {@code dim}. */
    public int maxFeatureMaskWidth(int dim) {
        if (dim < 0) throw new IllegalArgumentException("dim must be ≥ 0, got " + dim);
        return Math.min(featureMaskMax, dim);
    }

    /**
     * The augmented copy of {@code in} for utterance {@code utterance} in epoch {@code epoch} of a run seeded
     * {@code seed}: noise added, then the masked regions set to 0. Always a new {@link Features}, except when
     * {@link #isOff()}, where it is {@code in} itself; {@code in} is never modified. Pure in
     * (this, in, seed, epoch, utterance).
     */
    public Features apply(Features in, long seed, int epoch, int utterance) {
        Objects.requireNonNull(in, "in");
        if (isOff()) return in;
        int frames = in.frames(), dim = in.dim();
        float[] v = in.values().clone();
        long key = key(seed, epoch, utterance);
        if (noiseStd > 0) {
            SplittableRandom rng = new SplittableRandom(DropoutHash.derive(key, USE_NOISE));
            for (int i = 0; i < v.length; i++) v[i] = (float) (v[i] + noiseStd * rng.nextGaussian());
        }
        Masks m = masks(key, frames, dim);
        for (int k = 0; k < m.timeStart.length; k++) {
            java.util.Arrays.fill(v, m.timeStart[k] * dim, (m.timeStart[k] + m.timeWidth[k]) * dim, 0f);
        }
        for (int k = 0; k < m.featureStart.length; k++) {
            int from = m.featureStart[k], to = from + m.featureWidth[k];
            if (from == to) continue;
            for (int t = 0; t < frames; t++) java.util.Arrays.fill(v, t * dim + from, t * dim + to, 0f);
        }
        return new Features(v, frames, dim);
    }

    /**
     * The masks {@link #apply} draws for a {@code frames × dim} input: starts and widths (a width may be 0)
     * of each time mask, in frames, and of each feature mask, in dimensions. For tests and diagnostics.
     */
    Masks masks(int frames, int dim, long seed, int epoch, int utterance) {
        return masks(key(seed, epoch, utterance), frames, dim);
    }

    /** Starts and widths of the time masks (frames) and feature masks (dimensions) of one {@link #apply}. */
    record Masks(int[] timeStart, int[] timeWidth, int[] featureStart, int[] featureWidth) {}

    private Masks masks(long key, int frames, int dim) {
        int[] ts = new int[timeMasks], tw = new int[timeMasks], fs = new int[featureMasks], fw = new int[featureMasks];
        draw(new SplittableRandom(DropoutHash.derive(key, USE_TIME)), maxTimeMaskWidth(frames), frames, ts, tw);
        draw(new SplittableRandom(DropoutHash.derive(key, USE_FEATURE)), maxFeatureMaskWidth(dim), dim, fs, fw);
        return new Masks(ts, tw, fs, fw);
    }

    /** Width uniform in [0, maxWidth], then start uniform in [0, length − width]; two draws per mask always. */
    private static void draw(SplittableRandom rng, int maxWidth, int length, int[] start, int[] width) {
        for (int k = 0; k < start.length; k++) {
            width[k] = rng.nextInt(maxWidth + 1);
            start[k] = rng.nextInt(length - width[k] + 1);
        }
    }

    private static long key(long seed, int epoch, int utterance) {
        return DropoutHash.derive(DropoutHash.derive(DropoutHash.derive(seed, DOMAIN), epoch), utterance);
    }
}
