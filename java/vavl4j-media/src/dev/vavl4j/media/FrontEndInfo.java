package dev.vavl4j.media;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What made a modality's features: the front end's name ({@code fbank}, {@code faceexpr}, {@code onnx}) and
 * every setting that changes the numbers, as text (sorted by key). Two feature sets are interchangeable
 * exactly when their infos are equal; {@code vavl features} records them in {@code FEATURES/frontend.json},
 * training copies that record into the checkpoint, and {@code predict --media} refuses a front end whose info
 * differs from the checkpoint's.
 */
public record FrontEndInfo(String name, Map<String, String> settings) {
    public FrontEndInfo {
        Objects.requireNonNull(name, "name");
        settings = java.util.Collections.unmodifiableMap(new TreeMap<>(settings));
    }
}
