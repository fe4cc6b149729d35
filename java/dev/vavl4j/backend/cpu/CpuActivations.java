package dev.vavl4j.backend.cpu;

/** Scalar activation math shared by the CPU ops. */
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
}
