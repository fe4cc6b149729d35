package dev.vavl4j.media;

import dev.vavl4j.InvalidInputException;
import dev.vavl4j.data.Features;
import dev.vavl4j.predict.Predictor;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Predictions from media files: extracts features with the front end the model was trained on (the record
 * {@code vavl features} wrote and training copied into the checkpoint, {@link Predictor#frontEndJson}) and
 * asks the {@link Predictor}. Audio only, video only, or both from one container, as the file and the model
 * allow. A front end given in place of the recorded one (an ONNX model that moved, say) must have the same
 * {@link FrontEndInfo}: features made another way are refused, never silently fed to the model.
 * <pre>{@code
 * try (Predictor p = Predictor.load(Path.of("run"));
 *      MediaPredictor mp = MediaPredictor.open(p)) {
 *     MediaPrediction r = mp.predict(Path.of("clip.mp4"));
 * }
 * }</pre>
 * Thread-safe: concurrent calls extract and predict in parallel. {@link #close} releases the front ends; the
 * predictor stays the caller's.
 */
public final class MediaPredictor implements AutoCloseable {
    private final Predictor predictor;
    private final FrontEnds.Opened frontEnds;
    private final ClipExtractor extractor;

    private MediaPredictor(Predictor predictor, FrontEnds.Opened frontEnds, double fps) {
        this.predictor = predictor;
        this.frontEnds = frontEnds;
        this.extractor = new ClipExtractor(frontEnds.audio(), frontEnds.visual(), fps);
    }

    /** With the model's recorded front ends. */
    public static MediaPredictor open(Predictor predictor) {
        return open(predictor, null, null);
    }

    /**
     * With the model's recorded front ends, or {@code audio} / {@code visual} in their place (null: the
     * recorded one), which must be the same front end (equal {@link FrontEndInfo}).
     *
     * @throws InvalidInputException when the model has no front-end record, or an override differs from it
     */
    public static MediaPredictor open(Predictor predictor, FrontEndSpec audio, FrontEndSpec visual) {
        Objects.requireNonNull(predictor, "predictor");
        String json = predictor.frontEndJson();
        if (json == null) {
            throw new InvalidInputException("the model was trained on features without a front-end record (not made by vavl features), "
                    + "so it cannot tell how to extract them from media; predict from feature files (--audio/--visual FILE.npy) instead");
        }
        FrontEndRecord rec = FrontEndRecord.fromJson(json, "the model's front-end record");
        // A modality whose head the model never trained (its corpus had none of it) is not extracted at all.
        FrontEndRecord.Entry recAudio = predictor.heads().audio() ? rec.audio() : null, recVisual = predictor.heads().visual() ? rec.visual() : null;
        FrontEnds.Opened fe = FrontEnds.open(
                recAudio == null ? FrontEndSpec.NONE : audio != null ? audio : recAudio.spec(),
                recVisual == null ? FrontEndSpec.NONE : visual != null ? visual : recVisual.spec());
        try {
            double fps = recVisual == null ? 0 : parseFps(recVisual.info().settings().get("fps"));
            MediaPredictor mp = new MediaPredictor(predictor, fe, fps);
            requireSame("audio", recAudio == null ? null : recAudio.info(), mp.extractor.audioInfo());
            requireSame("visual", recVisual == null ? null : recVisual.info(), mp.extractor.visualInfo());
            return mp;
        } catch (RuntimeException e) {
            fe.close();
            throw e;
        }
    }

    private static double parseFps(String s) {
        if (s == null || s.equals("native")) return 0;
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new InvalidInputException("the model's front-end record: visual setting fps '" + s + "' is not a number or 'native'");
        }
    }

    private static void requireSame(String modality, FrontEndInfo recorded, FrontEndInfo now) {
        if (!Objects.equals(recorded, now)) {
            throw new InvalidInputException("the " + modality + " front end " + describe(now) + " is not the one the model was trained with ("
                    + describe(recorded) + "); its features would not mean what the model learned");
        }
    }

    private static String describe(FrontEndInfo i) {
        return i == null ? "none" : i.name() + " " + i.settings();
    }

    /** The prediction for one media file. */
    public MediaPrediction predict(Path file) {
        ClipFeatures c = extractor.extract(file, file.toString());
        Features a = c.audio(), v = c.visual();
        if (a == null && v == null) {
            throw new InvalidInputException(file + ": nothing to predict from (audio: " + (frontEnds.audio() == null ? "not used by the model" : c.audioNote())
                    + "; visual: " + (frontEnds.visual() == null ? "not used by the model" : c.visualNote()) + ")");
        }
        return new MediaPrediction(file, predictor.predict(a, v), c);
    }

    /** Whether the model takes audio features (its record has an audio front end). */
    public boolean usesAudio() {
        return frontEnds.audio() != null;
    }

    /** Whether the model takes visual features. */
    public boolean usesVisual() {
        return frontEnds.visual() != null;
    }

    public Predictor predictor() {
        return predictor;
    }

    @Override
    public void close() {
        frontEnds.close();
    }
}
