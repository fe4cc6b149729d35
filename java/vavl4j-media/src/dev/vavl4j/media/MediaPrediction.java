package dev.vavl4j.media;

import dev.vavl4j.predict.Prediction;
import java.nio.file.Path;

/** One media file's prediction and the features it was made from (which modalities the file gave, and why not). */
public record MediaPrediction(Path file, Prediction prediction, ClipFeatures features) {}
