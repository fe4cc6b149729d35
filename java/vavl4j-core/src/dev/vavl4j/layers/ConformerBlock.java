package dev.vavl4j.layers;

import dev.vavl4j.backend.SeqMask;
import dev.vavl4j.backend.Tensor;

/** x += ½·FF1(x); x += MHSA(x); x += CONV(x); x += ½·FF2(x); x = LN_block(x) (spec §3). */
public final class ConformerBlock {
    private final FeedForward ff1, ff2;
    private final RelPosAttention attn;
    private final ConvModule conv;
    private final LayerNorm norm;

    /** Declares and takes, in spec §8 order: ff1, ff2, attn, conv, norm. */
    public ConformerBlock(Declarations ds, String prefix, Dims dims) {
        ff1 = new FeedForward(ds, prefix + ".ff1", dims.d(), dims.ffHidden());
        ff2 = new FeedForward(ds, prefix + ".ff2", dims.d(), dims.ffHidden());
        attn = new RelPosAttention(ds, prefix + ".attn", dims.d(), dims.heads());
        conv = new ConvModule(ds, prefix + ".conv", dims.d(), dims.kernel());
        norm = LayerNorm.declare(ds, prefix + ".norm", dims.d());
    }

    /** The sizes a block's parameters take: model width d, the feed-forward hidden width, heads, kernel. */
    public record Dims(int d, int ffHidden, int heads, int kernel) {}

    public record Saved(FeedForward.Saved f1, RelPosAttention.Saved a, ConvModule.Saved c, FeedForward.Saved f2,
                        LayerNorm.Saved ln) {}

    public record Result(Saved saved, Tensor out) {}

    public Result forward(ForwardContext ctx, Tensor x, SeqMask mask) {
        var be = ctx.be;
        FeedForward.Saved f1 = ff1.forward(ctx, x, mask);
        Tensor x1 = residual(ctx, x, f1.out(), 0.5f);
        RelPosAttention.Result a = attn.forward(ctx, x1, mask);
        Tensor x2 = residual(ctx, x1, a.out(), 1f);
        ConvModule.Result c = conv.forward(ctx, x2, mask);
        Tensor x3 = residual(ctx, x2, c.out(), 1f);
        FeedForward.Saved f2 = ff2.forward(ctx, x3, mask);
        LayerNorm.Saved ln = norm.forwardResidual(ctx, x3, f2.out(), 0.5f);
        return new Result(new Saved(f1, a.saved(), c.saved(), f2, ln), ln.y());
    }

    /** dx += ∂L/∂x given dOut = ∂L/∂block(x). */
    public void backward(ForwardContext ctx, Saved s, Tensor dOut, SeqMask mask, Tensor dx) {
        var be = ctx.be;
        Tensor dx4 = be.zeros(dOut.shape());
        norm.backward(ctx, s.ln, dOut, dx4);
        Tensor dx3 = copyOf(ctx, dx4);
        ff2.backward(ctx, s.f2, half(ctx, dx4), mask, dx3);
        Tensor dx2 = copyOf(ctx, dx3);
        conv.backward(ctx, s.c, dx3, mask, dx2);
        Tensor dx1 = copyOf(ctx, dx2);
        attn.backward(ctx, s.a, dx2, mask, dx1);
        be.axpy(1f, dx1, dx);
        ff1.backward(ctx, s.f1, half(ctx, dx1), mask, dx);
    }

    private static Tensor residual(ForwardContext ctx, Tensor x, Tensor branch, float scale) {
        Tensor y = copyOf(ctx, x);
        ctx.be.axpy(scale, branch, y);
        return y;
    }

    private static Tensor copyOf(ForwardContext ctx, Tensor x) {
        Tensor y = ctx.be.empty(x.shape());
        ctx.be.copy(x, y);
        return y;
    }

    private static Tensor half(ForwardContext ctx, Tensor x) {
        Tensor y = ctx.be.empty(x.shape());
        ctx.be.scaleInto(x, 0.5f, y);
        return y;
    }
}
