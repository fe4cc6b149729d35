package dev.vavl4j.model;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.Tensor;

/** The task loss of spec §5 for the configured task. */
final class Losses {
    private Losses() {}

    /** Task loss of pred against labels; dPred ← ∂loss/∂pred. */
    static double task(VavlConfig cfg, Backend be, Tensor pred, Tensor labels, Tensor dPred) {
        return task(cfg, be, pred, labels, null, dPred);
    }

    /**
     * As {@link #task(VavlConfig, Backend, Tensor, Tensor, Tensor)}, with per-class weights for the
     * cross-entropy ({@code [C]}, or null for none; the trainer's {@code class_weights}). Regression ignores them.
     */
    static double task(VavlConfig cfg, Backend be, Tensor pred, Tensor labels, Tensor classWeights, Tensor dPred) {
        return cfg.classification()
                ? be.crossEntropyArgmax(pred, labels, classWeights, 1f, dPred)
                : be.cccLoss(pred, labels, 1f, dPred);
    }
}
