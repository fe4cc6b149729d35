package dev.vavl4j.media;

import dev.vavl4j.InvalidInputException;
import dev.vavl4j.media.onnx.OnnxAudioFrontEnd;
import java.nio.file.Path;

/** The {@code onnx:FILE} front ends (ONNX Runtime is loaded only when one is asked for). */
final class OnnxFrontEnds {
    private OnnxFrontEnds() {}

    static AudioFrontEnd audio(Path model) {
        return OnnxAudioFrontEnd.open(model);
    }

    static VisualFrontEnd visual(Path model) {
        throw new InvalidInputException("--visual onnx:" + model + ": ONNX visual extractors are not wired into the features job yet (OnnxVisualModel runs them; the face-crop assembly is missing); use --visual faceexpr or none");
    }
}
