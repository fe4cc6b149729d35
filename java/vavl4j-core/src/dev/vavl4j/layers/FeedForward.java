package dev.vavl4j.layers;

import dev.vavl4j.backend.SeqMask;
import dev.vavl4j.backend.Tensor;

/** FF(x) = drop(W2·drop(swish(W1·LN(x) + b1)) + b2) (spec §3). The block adds ½·FF(x). */
public final class FeedForward {
    private final LayerNorm norm;
    private final Linear linear1;
    private final Linear linear2;

    /** Declares and takes norm [d], linear1 d→hidden, linear2 hidden→d. */
    public FeedForward(Declarations ds, String prefix, int d, int hidden) {
        norm = LayerNorm.declare(ds, prefix + ".norm", d);
        linear1 = Linear.declare(ds, prefix + ".linear1", d, hidden);
        linear2 = Linear.declare(ds, prefix + ".linear2", hidden, d);
    }

    /** pre: linear1's biased pre-activation (swish's derivative reads it); act: drop(swish(pre)), linear2's input. */
    public record Saved(LayerNorm.Saved ln, Tensor pre, Tensor act, long actSeed, Tensor out, long outSeed) {}

    /** FF(x) over x [B, T, d]; products over the valid frames of {@code mask} only (null: every row). */
    public Saved forward(ForwardContext ctx, Tensor x, SeqMask mask) {
        var be = ctx.be;
        LayerNorm.Saved ln = norm.forward(ctx, x);
        Tensor pre = linear1.forwardNoBias(be, ln.y(), mask);
        long actSeed = ctx.seedFor(ctx.dropout);
        Tensor act = be.empty(pre.shape());
        be.biasSwishDropout(pre, linear1.bias.value, ctx.dropout, actSeed, act);
        Tensor y = linear2.forward(be, act, mask);
        ForwardContext.Dropped o = ctx.dropout(y, ctx.dropout);
        return new Saved(ln, pre, act, actSeed, o.out(), o.seed());
    }

    /** dx += ∂L/∂x given dOut = ∂L/∂FF(x). */
    public void backward(ForwardContext ctx, Saved s, Tensor dOut, SeqMask mask, Tensor dx) {
        var be = ctx.be;
        Tensor dy = ctx.dropoutBackward(dOut, ctx.dropout, s.outSeed);
        Tensor dAct = be.zeros(s.act.shape());
        linear2.backward(be, s.act, dy, dAct, mask);
        Tensor dPre = be.empty(s.pre.shape());
        be.swishDropoutBackward(dAct, s.pre, ctx.dropout, s.actSeed, dPre);
        be.accumulateBiasGrad(dPre, linear1.bias.grad(be));
        Tensor dLn = be.zeros(s.ln.y().shape());
        linear1.backwardWeightAndInput(be, s.ln.y(), dPre, dLn, mask);
        norm.backward(ctx, s.ln, dLn, dx);
    }
}
