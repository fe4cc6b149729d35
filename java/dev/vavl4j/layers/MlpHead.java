package dev.vavl4j.layers;

import dev.vavl4j.backend.Tensor;

/** out(fc2(drop(relu(fc1(r))))): no nonlinearity between fc2 and out (spec §3). */
public final class MlpHead {
    private final Linear fc1, fc2, out;

    public MlpHead(ParamSource ps, String prefix) {
        fc1 = ps.linear(prefix + ".fc1");
        fc2 = ps.linear(prefix + ".fc2");
        out = ps.linear(prefix + ".out");
    }

    public record Saved(Tensor r, Tensor h1, Tensor h1d, long seed, Tensor h2) {}

    public record Result(Saved saved, Tensor out) {}

    public Result forward(ForwardContext ctx, Tensor r) {
        var be = ctx.be;
        Tensor h1 = fc1.forward(be, r);
        be.relu(h1, h1);
        ForwardContext.Dropped d = ctx.dropout(h1, ctx.headDropout);
        Tensor h2 = fc2.forward(be, d.out());
        return new Result(new Saved(r, h1, d.out(), d.seed(), h2), out.forward(be, h2));
    }

    /** Parameter gradients, and dr += ∂L/∂r when dr is given. */
    public void backward(ForwardContext ctx, Saved s, Tensor dOut, Tensor dr) {
        var be = ctx.be;
        Tensor dh2 = be.zeros(s.h2.shape());
        out.backward(be, s.h2, dOut, dh2);
        Tensor dh1d = be.zeros(s.h1d.shape());
        fc2.backward(be, s.h1d, dh2, dh1d);
        Tensor dh1 = be.zeros(s.h1.shape());
        be.reluBackward(ctx.dropoutBackward(dh1d, ctx.headDropout, s.seed), s.h1, dh1);
        fc1.backward(be, s.r, dh1, dr);
    }
}
