package dev.vavl4j.data;

import dev.vavl4j.io.HostTensor;
import dev.vavl4j.model.Modality;
import java.util.List;
import java.util.Map;

/**
 * Per-dimension mean and standard deviation of each modality's features, measured over every frame of the
 * training utterances (double accumulation, population std). A dimension whose std is below 1e-6 is left
 * unscaled (std stored as 1) so constant features never divide by zero. Saved with the model as the
 * tensors {@code audio.mean}, {@code audio.std}, {@code visual.mean}, {@code visual.std} (float32 [D]).
 */
public record Normalizer(float[] audioMean, float[] audioStd, float[] visualMean, float[] visualStd) {

    /** Statistics of the training utterances; a modality no utterance has gets mean 0, std 1. */
    public static Normalizer fit(List<Utterance> train, int audioDim, int visualDim) {
        throw new UnsupportedOperationException("TODO");
    }

    /** (x − mean) / std per dimension, as a new Features. */
    public Features apply(Modality m, Features f) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Every utterance normalised (missing modalities stay null). */
    public List<Utterance> apply(List<Utterance> utterances) {
        throw new UnsupportedOperationException("TODO");
    }

    public Map<String, HostTensor> toTensors() {
        throw new UnsupportedOperationException("TODO");
    }

    /** Validates names, shapes (against the dims) and finiteness; errors name {@code source}. */
    public static Normalizer fromTensors(Map<String, HostTensor> tensors, int audioDim, int visualDim, String source) {
        throw new UnsupportedOperationException("TODO");
    }
}
