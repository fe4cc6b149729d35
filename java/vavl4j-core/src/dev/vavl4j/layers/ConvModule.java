package dev.vavl4j.layers;

import dev.vavl4j.backend.BatchStats;
import dev.vavl4j.backend.NormAffine;
import dev.vavl4j.backend.NormAffineGrads;
import dev.vavl4j.backend.SeqMask;
import dev.vavl4j.backend.Tensor;

/**
 * CONV(x) of spec §3: LN, pointwise1 (d→2d), GLU with padded frames zeroed, depthwise conv, masked
 * BatchNorm (batch statistics over valid frames in train mode, updating the running statistics; the
 * running statistics in eval mode), swish, pointwise2, dropout.
 */
public final class ConvModule {
    private final LayerNorm norm;
    private final Linear pointwise1, pointwise2;
    private final Param depthwise, bnWeight, bnBias;
    private final Tensor runningMean, runningVar;

    /**
     * Declares and takes norm, pointwise1 d→2d, depthwise.weight [d, K] (fan-in K), bn.weight (1) and bn.bias
     * (0), pointwise2 d→d; and the buffers bn.running_mean (0) and bn.running_var (1).
     */
    public ConvModule(Declarations ds, String prefix, int d, int kernel) {
        norm = LayerNorm.declare(ds, prefix + ".norm", d);
        pointwise1 = Linear.declare(ds, prefix + ".pointwise1", d, 2 * d);
        depthwise = ds.param(prefix + ".depthwise.weight", new int[] {d, kernel}, Init.uniform(kernel));
        bnWeight = ds.param(prefix + ".bn.weight", new int[] {d}, Init.ONES);
        bnBias = ds.param(prefix + ".bn.bias", new int[] {d}, Init.ZEROS);
        pointwise2 = Linear.declare(ds, prefix + ".pointwise2", d, d);
        runningMean = ds.buffer(prefix + ".bn.running_mean", new int[] {d}, Init.ZEROS);
        runningVar = ds.buffer(prefix + ".bn.running_var", new int[] {d}, Init.ONES);
    }

    public record Saved(LayerNorm.Saved ln, Tensor g, Tensor z, Tensor c, Tensor mean, Tensor var, Tensor bn,
                        Tensor s, long outSeed) {}

    public record Result(Saved saved, Tensor out) {}

    public Result forward(ForwardContext ctx, Tensor x, SeqMask mask) {
        var be = ctx.be;
        int d = x.cols();
        LayerNorm.Saved ln = norm.forward(ctx, x);
        Tensor g = pointwise1.forward(be, ln.y(), mask);
        Tensor z = be.empty(Shapes.withCols(x, d));
        be.gluMasked(g, mask, z);
        Tensor c = be.empty(z.shape());
        be.depthwiseConv(z, depthwise.value, c);
        Tensor mean, var;
        if (ctx.train) {
            mean = be.empty(d);
            var = be.empty(d);
            be.maskedBatchStats(c, mask, mean, var);
            be.updateRunningStats(runningMean, runningVar, mean, var, ctx.bnMomentum, mask.validFrames());
        } else {
            mean = runningMean;
            var = runningVar;
        }
        Tensor bn = be.empty(c.shape()), s = be.empty(c.shape());
        be.batchNormSwish(c, new BatchStats(mean, var), new NormAffine(bnWeight.value, bnBias.value), ctx.bnEps, bn, s);
        ForwardContext.Dropped o = ctx.dropout(pointwise2.forward(be, s, mask), ctx.dropout);
        return new Result(new Saved(ln, g, z, c, mean, var, bn, s, o.seed()), o.out());
    }

    /** dx += ∂L/∂x given dOut = ∂L/∂CONV(x); train mode only (batch statistics). */
    public void backward(ForwardContext ctx, Saved sv, Tensor dOut, SeqMask mask, Tensor dx) {
        if (!ctx.train) throw new IllegalStateException("conv module backward needs train-mode batch statistics");
        var be = ctx.be;
        Tensor dy = ctx.dropoutBackward(dOut, ctx.dropout, sv.outSeed);
        Tensor dS = be.zeros(sv.s.shape());
        pointwise2.backward(be, sv.s, dy, dS, mask);
        Tensor dC = be.empty(sv.c.shape());
        be.batchNormSwishBackward(dS, sv.c, sv.bn, new BatchStats(sv.mean, sv.var), bnWeight.value, ctx.bnEps, mask, dC,
                new NormAffineGrads(bnWeight.grad(be), bnBias.grad(be)));
        Tensor dZ = be.empty(sv.z.shape());
        be.depthwiseConvBackward(dC, sv.z, depthwise.value, dZ, depthwise.grad(be));
        Tensor dG = be.empty(sv.g.shape());
        be.gluMaskedBackward(dZ, sv.g, mask, dG);
        Tensor dLn = be.zeros(sv.ln.y().shape());
        pointwise1.backward(be, sv.ln.y(), dG, dLn, mask);
        norm.backward(ctx, sv.ln, dLn, dx);
    }
}
