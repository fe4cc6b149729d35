package dev.vavl4j.layers;

import dev.vavl4j.backend.LayerNormStats;
import dev.vavl4j.backend.NormAffine;
import dev.vavl4j.backend.NormAffineGrads;
import dev.vavl4j.backend.Tensor;

/** LayerNorm over the last dimension (biased variance, affine). */
public final class LayerNorm {
    final Param weight;
    final Param bias;

    public LayerNorm(Param weight, Param bias) {
        this.weight = weight;
        this.bias = bias;
    }

    /** Declares {@code prefix.weight} [d] (ones) and {@code prefix.bias} [d] (zeros). */
    public static LayerNorm declare(Declarations ds, String prefix, int d) {
        Param w = ds.param(prefix + ".weight", new int[] {d}, Init.ONES);
        return new LayerNorm(w, ds.param(prefix + ".bias", new int[] {d}, Init.ZEROS));
    }

    public record Saved(Tensor x, Tensor y, Tensor mean, Tensor rstd) {}

    public Saved forward(ForwardContext ctx, Tensor x) {
        var be = ctx.be;
        Tensor y = be.empty(x.shape()), mean = be.empty(x.rows()), rstd = be.empty(x.rows());
        be.layerNorm(x, new NormAffine(weight.value, bias.value), ctx.lnEps, y, new LayerNormStats(mean, rstd));
        return new Saved(x, y, mean, rstd);
    }

    /** LayerNorm of x + scale·branch, the residual add fused in; the saved x is that sum. */
    public Saved forwardResidual(ForwardContext ctx, Tensor x, Tensor branch, float scale) {
        var be = ctx.be;
        Tensor sum = be.empty(x.shape()), y = be.empty(x.shape()), mean = be.empty(x.rows()), rstd = be.empty(x.rows());
        be.residualLayerNorm(x, branch, scale, new NormAffine(weight.value, bias.value), ctx.lnEps, sum, y,
                new LayerNormStats(mean, rstd));
        return new Saved(sum, y, mean, rstd);
    }

    /** dx += ∂L/∂x. */
    public void backward(ForwardContext ctx, Saved s, Tensor dy, Tensor dx) {
        var be = ctx.be;
        be.layerNormBackward(dy, s.x, weight.value, new LayerNormStats(s.mean, s.rstd), dx,
                new NormAffineGrads(weight.grad(be), bias.grad(be)));
    }
}
