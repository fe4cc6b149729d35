package dev.vavl4j.predict;

import java.util.Map;

/**
 * The answer for one utterance. {@code used} says which head answered (fusion when both modalities were
 * given); {@code scores} are that head's class probabilities (classification) or attribute values in the
 * manifest's units (regression), in label order; {@code answerIndex} is the predicted class (−1 for
 * regression) and {@code answer} its label, or the attribute values as {@code name=value} pairs.
 * {@code bySource} holds the scores of every head that applied.
 */
public record Prediction(Source used, String answer, int answerIndex, double[] scores, Map<Source, double[]> bySource) {}
