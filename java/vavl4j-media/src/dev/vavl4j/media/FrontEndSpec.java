package dev.vavl4j.media;

import dev.vavl4j.InvalidInputException;
import java.nio.file.Path;

/**
 * A front end as the command line names it: audio {@code fbank | onnx:FILE | none}, visual
 * {@code faceexpr | onnx:FILE | none}. {@code none} leaves the modality out (an audio-only or video-only corpus).
 *
 * @param model the ONNX model file for {@link Kind#ONNX}, else null
 */
public record FrontEndSpec(Kind kind, Path model) {
    public enum Kind { FBANK, FACEEXPR, ONNX, NONE }

    public static final FrontEndSpec FBANK = new FrontEndSpec(Kind.FBANK, null);
    public static final FrontEndSpec FACEEXPR = new FrontEndSpec(Kind.FACEEXPR, null);
    public static final FrontEndSpec NONE = new FrontEndSpec(Kind.NONE, null);

    public FrontEndSpec {
        if ((kind == Kind.ONNX) != (model != null)) throw new IllegalArgumentException("an ONNX front end, and only it, names a model file");
    }

    /** {@code fbank}, {@code onnx:FILE} or {@code none}; {@code option} names the flag in errors. */
    public static FrontEndSpec parseAudio(String text, String option) {
        return parse(text, option, Kind.FBANK, "fbank");
    }

    /** {@code faceexpr}, {@code onnx:FILE} or {@code none}. */
    public static FrontEndSpec parseVisual(String text, String option) {
        return parse(text, option, Kind.FACEEXPR, "faceexpr");
    }

    private static FrontEndSpec parse(String text, String option, Kind builtIn, String builtInName) {
        if (text == null) throw new InvalidInputException(option + ": missing value (" + builtInName + ", onnx:FILE or none)");
        if (text.equals(builtInName)) return new FrontEndSpec(builtIn, null);
        if (text.equals("none")) return NONE;
        if (text.startsWith("onnx:") && text.length() > 5) return new FrontEndSpec(Kind.ONNX, Path.of(text.substring(5)));
        throw new InvalidInputException(option + " " + text + ": not a front end (use " + builtInName + ", onnx:FILE or none)");
    }

    /** The text {@link #parseAudio}/{@link #parseVisual} reads back; an ONNX model by its absolute path. */
    @Override
    public String toString() {
        return switch (kind) {
            case FBANK -> "fbank";
            case FACEEXPR -> "faceexpr";
            case NONE -> "none";
            case ONNX -> "onnx:" + model.toAbsolutePath().normalize();
        };
    }
}
