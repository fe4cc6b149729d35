package dev.vavl4j.layers;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.Tensor;

/** y = x·Wᵀ + b with W in PyTorch layout [out, in]; the bias is optional. */
public final class Linear {
    final Param weight;
    final Param bias;

    public Linear(Param weight, Param bias) {
        this.weight = weight;
        this.bias = bias;
    }

    public int outFeatures() {
        return weight.value.dim(0);
    }

    /** x·Wᵀ without the bias (callers that fuse the bias into the next op use this). */
    public Tensor forwardNoBias(Backend be, Tensor x) {
        Tensor y = be.empty(Shapes.withCols(x, outFeatures()));
        be.gemm(x, false, weight.value, true, y, 1f, 0f);
        return y;
    }

    public Tensor forward(Backend be, Tensor x) {
        Tensor y = forwardNoBias(be, x);
        if (bias != null) be.addBias(y, bias.value);
        return y;
    }

    /** dW += dyᵀ·x, db += Σ dy, and dx += dy·W when dx is given. */
    public void backward(Backend be, Tensor x, Tensor dy, Tensor dx) {
        if (bias != null) be.accumulateBiasGrad(dy, bias.grad(be));
        backwardWeightAndInput(be, x, dy, dx);
    }

    /** Gradient of the bias-free product only (the bias gradient was taken by a fused op). */
    void backwardWeightAndInput(Backend be, Tensor x, Tensor dy, Tensor dx) {
        be.gemm(dy, true, x, false, weight.grad(be), 1f, 1f);
        if (dx != null) be.gemm(dy, false, weight.value, false, dx, 1f, 1f);
    }
}
