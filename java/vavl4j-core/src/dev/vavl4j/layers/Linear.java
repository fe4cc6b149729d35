package dev.vavl4j.layers;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.SeqMask;
import dev.vavl4j.backend.Tensor;

/** y = x·Wᵀ + b with W in PyTorch layout [out, in]; the bias is optional. */
public final class Linear {
    final Param weight;
    final Param bias;

    public Linear(Param weight, Param bias) {
        this.weight = weight;
        this.bias = bias;
    }

    /** Declares {@code prefix.weight} [out, in] and {@code prefix.bias} [out], both U(±1/√in). */
    public static Linear declare(Declarations ds, String prefix, int in, int out) {
        Param w = ds.param(prefix + ".weight", new int[] {out, in}, Init.uniform(in));
        return new Linear(w, ds.param(prefix + ".bias", new int[] {out}, Init.uniform(in)));
    }

    /** Declares {@code prefix.weight} [out, in], U(±1/√in), for a linear map without a bias. */
    public static Linear declareNoBias(Declarations ds, String prefix, int in, int out) {
        return new Linear(ds.param(prefix + ".weight", new int[] {out, in}, Init.uniform(in)), null);
    }

    public int outFeatures() {
        return weight.value.dim(0);
    }

    /** x·Wᵀ without the bias (callers that fuse the bias into the next op use this). */
    public Tensor forwardNoBias(Backend be, Tensor x) {
        return forwardNoBias(be, x, null);
    }

    /**
     * x·Wᵀ without the bias; with {@code frames} (x one row per frame, [B, T, in]) only the rows of valid
     * frames are computed and padded rows come out 0 (see {@link Backend#gemmValidRows}).
     */
    public Tensor forwardNoBias(Backend be, Tensor x, SeqMask frames) {
        Tensor y = be.empty(Shapes.withCols(x, outFeatures()));
        if (frames == null) be.gemm(x, false, weight.value, true, y, 1f, 0f);
        else be.gemmValidRows(x, weight.value, true, null, y, 0f, frames);
        return y;
    }

    public Tensor forward(Backend be, Tensor x) {
        return forward(be, x, null);
    }

    /** x·Wᵀ + b, over the valid frames' rows only when {@code frames} is given (padded rows are 0). */
    public Tensor forward(Backend be, Tensor x, SeqMask frames) {
        if (frames != null) {
            Tensor y = be.empty(Shapes.withCols(x, outFeatures()));
            be.gemmValidRows(x, weight.value, true, bias == null ? null : bias.value, y, 0f, frames);
            return y;
        }
        Tensor y = forwardNoBias(be, x, null);
        if (bias != null) be.addBias(y, bias.value);
        return y;
    }

    /** dW += dyᵀ·x, db += Σ dy, and dx += dy·W when dx is given. */
    public void backward(Backend be, Tensor x, Tensor dy, Tensor dx) {
        backward(be, x, dy, dx, null);
    }

    /**
     * As {@link #backward(Backend, Tensor, Tensor, Tensor)}; with {@code frames}, dx is accumulated on the
     * valid frames' rows only. The padded rows of dy are zero (nothing downstream reads padding), so dW and
     * db are the same either way.
     */
    public void backward(Backend be, Tensor x, Tensor dy, Tensor dx, SeqMask frames) {
        if (bias != null) be.accumulateBiasGrad(dy, bias.grad(be));
        backwardWeightAndInput(be, x, dy, dx, frames);
    }

    /** Gradient of the bias-free product only (the bias gradient was taken by a fused op). */
    void backwardWeightAndInput(Backend be, Tensor x, Tensor dy, Tensor dx, SeqMask frames) {
        be.gemm(dy, true, x, false, weight.grad(be), 1f, 1f);
        if (dx == null) return;
        if (frames == null) be.gemm(dy, false, weight.value, false, dx, 1f, 1f);
        else be.gemmValidRows(dy, weight.value, false, null, dx, 1f, frames);
    }
}
