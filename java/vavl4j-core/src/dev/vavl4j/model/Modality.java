package dev.vavl4j.model;

/** The two input modalities; {@link #key} is the name used in parameter names and files. */
public enum Modality {
    AUDIO("audio"), VISUAL("visual");

    public final String key;

    Modality(String key) {
        this.key = key;
    }

    public int inputDim(VavlConfig c) {
        return this == AUDIO ? c.audioDim() : c.visualDim();
    }
}
