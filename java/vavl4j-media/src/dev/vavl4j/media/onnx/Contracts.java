package dev.vavl4j.media.onnx;

import dev.vavl4j.media.MediaFormatException;

/** The checks the audio and visual contracts share; one-line messages that name the model file. No ONNX Runtime class here. */
final class Contracts {
    /** ONNX Runtime failed on an input (the model's own error, as one line). */
    static final class RunFailure extends MediaFormatException {
        RunFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private Contracts() {}

    /** The model's single input, which must be float32; {@code need} says what the contract wants. */
    static OrtModel.Port singleFloatInput(String file, OrtModel m, String need) {
        if (m.inputs.size() != 1) {
            StringBuilder names = new StringBuilder();
            for (OrtModel.Port p : m.inputs) names.append(names.isEmpty() ? "" : ", ").append('\'').append(p.name()).append('\'');
            throw new MediaFormatException(file + ": the model has " + m.inputs.size() + " inputs (" + names + ") — " + need
                    + " as its only input");
        }
        OrtModel.Port in = m.inputs.get(0);
        if (!in.isFloat()) {
            throw new MediaFormatException(file + ": input '" + in.name() + "' is " + in.describe() + " — " + need);
        }
        return in;
    }

    /** The model's first output, which must be float32. */
    static OrtModel.Port firstFloatOutput(String file, OrtModel m, String need) {
        if (m.outputs.isEmpty()) throw new MediaFormatException(file + ": the model has no output");
        OrtModel.Port out = m.outputs.get(0);
        if (!out.isFloat()) {
            throw new MediaFormatException(file + ": output '" + out.name() + "' is " + out.describe() + " — the contract needs " + need);
        }
        return out;
    }

    /** A number as settings text: integral values without a fraction. */
    static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
