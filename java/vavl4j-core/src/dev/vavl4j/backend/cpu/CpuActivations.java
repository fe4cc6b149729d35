package dev.vavl4j.backend.cpu;

import dev.vavl4j.backend.DropoutHash;

/**
 * Scalar activation and dropout math shared by the CPU ops.
 *
 * <p>Twin: {@code CudaElementwise}, whose sigmoid is float {@code expf} where this one is double rounded to
 * float (parity 1e-4 relative for outputs, 1e-3 for gradients); ReLU and dropout give the same bits; see
 * docs/gpu.md, "Where the twins may differ".
 */
final class CpuActivations {
    private CpuActivations() {}

    static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }

    static float swish(float x) {
        return x * sigmoid(x);
    }

    /** d/dx [x·σ(x)] = σ(x)·(1 + x·(1 − σ(x))). */
    static double swishGrad(float x) {
        double s = 1.0 / (1.0 + Math.exp(-x));
        return s * (1.0 + x * (1.0 - s));
    }

    /** The factor kept elements are scaled by: 1/(1 − p) rounded to float once, and multiplied, not divided by. */
    static float keepScale(float p) {
        return 1f / (1f - p);
    }

    /**
     * Element i of dropout(x, p, seed): 0 if dropped, else x·keep (keep = {@link #keepScale}). p = 0 is
     * eval mode: x as it is, without hashing.
     */
    static float dropout(float x, float p, float keep, long seed, int i) {
        if (p <= 0f) return x;
        return DropoutHash.uniform(seed, i) < p ? 0f : x * keep;
    }
}
