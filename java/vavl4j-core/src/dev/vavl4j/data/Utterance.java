package dev.vavl4j.data;

/** A manifest row with its features; {@code audio} or {@code visual} is null when that modality is missing. */
public record Utterance(ManifestRow row, Features audio, Features visual) {
    public boolean hasAudio() {
        return audio != null;
    }

    public boolean hasVisual() {
        return visual != null;
    }

    /** The longer of the two sequences, for length bucketing. */
    public int frames() {
        return Math.max(audio == null ? 0 : audio.frames(), visual == null ? 0 : visual.frames());
    }
}
