package dev.vavl4j.media;

import java.util.Objects;

/**
 * Mono audio as float samples in [-1, 1] (full scale of the source format) at {@code sampleRate} Hz.
 * Multi-channel sources are mixed to mono (the mean of the channels) by whoever decodes them.
 */
public record PcmAudio(float[] samples, int sampleRate) {
    public PcmAudio {
        Objects.requireNonNull(samples, "samples");
        if (sampleRate <= 0) throw new IllegalArgumentException("sampleRate must be > 0, got " + sampleRate);
    }

    public double seconds() {
        return samples.length / (double) sampleRate;
    }
}
