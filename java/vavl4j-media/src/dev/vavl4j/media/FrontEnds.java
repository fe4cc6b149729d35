package dev.vavl4j.media;

import dev.vavl4j.InvalidInputException;
import dev.vavl4j.media.audio.FbankFrontEnd;
import dev.vavl4j.media.visual.FaceExprFrontEnd;

/** Builds the front ends a {@link FrontEndSpec} names. */
public final class FrontEnds {
    private FrontEnds() {}

    /** An audio and a visual front end (either may be null: not used); closing closes both. */
    public record Opened(AudioFrontEnd audio, VisualFrontEnd visual) implements AutoCloseable {
        @Override
        public void close() {
            try {
                if (audio != null) audio.close();
            } finally {
                if (visual != null) visual.close();
            }
        }
    }

    /**
     * @throws InvalidInputException     when both are {@code none}, or a spec names a modality's wrong kind
     * @throws MediaUnavailableException when an ONNX model is asked for without ONNX Runtime on the class path
     */
    public static Opened open(FrontEndSpec audio, FrontEndSpec visual) {
        if (audio.kind() == FrontEndSpec.Kind.NONE && visual.kind() == FrontEndSpec.Kind.NONE) {
            throw new InvalidInputException("--audio none and --visual none: nothing to extract");
        }
        AudioFrontEnd a = switch (audio.kind()) {
            case NONE -> null;
            case FBANK -> new FbankFrontEnd();
            case ONNX -> OnnxFrontEnds.audio(audio.model());
            case FACEEXPR -> throw new InvalidInputException("faceexpr is a visual front end, not an audio one");
        };
        try {
            VisualFrontEnd v = switch (visual.kind()) {
                case NONE -> null;
                case FACEEXPR -> new FaceExprFrontEnd();
                case ONNX -> OnnxFrontEnds.visual(visual.model());
                case FBANK -> throw new InvalidInputException("fbank is an audio front end, not a visual one");
            };
            return new Opened(a, v);
        } catch (RuntimeException e) {
            if (a != null) a.close();
            throw e;
        }
    }

    /** The record of what {@code ex} (built from these specs) extracts. */
    public static FrontEndRecord record(FrontEndSpec audio, FrontEndSpec visual, ClipExtractor ex) {
        return new FrontEndRecord(ex.audioInfo() == null ? null : new FrontEndRecord.Entry(audio, ex.audioInfo()),
                ex.visualInfo() == null ? null : new FrontEndRecord.Entry(visual, ex.visualInfo()));
    }
}
