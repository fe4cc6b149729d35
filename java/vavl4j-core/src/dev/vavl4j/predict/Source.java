package dev.vavl4j.predict;

/** Which prediction answered: the audio head, the visual head or the fusion head (spec §7). */
public enum Source {
    AUDIO("audio"), VISUAL("visual"), FUSION("fusion");

    public final String key;

    Source(String key) {
        this.key = key;
    }
}
