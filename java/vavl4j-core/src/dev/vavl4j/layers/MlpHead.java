package dev.vavl4j.layers;

import dev.vavl4j.backend.Tensor;

/** out(fc2(drop(relu(fc1(r))))): no nonlinearity between fc2 and out (spec §3). */
public final class MlpHead {
    private final Linear fc1, fc2, out;

    /** Declares and takes fc1 in→hidden1, fc2 hidden1→hidden2, out hidden2→outputs. */
    public MlpHead(Declarations ds, String prefix, int in, int hidden1, int hidden2, int outputs) {
        fc1 = Linear.declare(ds, prefix + ".fc1", in, hidden1);
        fc2 = Linear.declare(ds, prefix + ".fc2", hidden1, hidden2);
        out = Linear.declare(ds, prefix + ".out", hidden2, outputs);
    }

    /** pre: fc1's biased pre-activation (ReLU's derivative reads it); h1d: drop(relu(pre)), fc2's input. */
    public record Saved(Tensor r, Tensor pre, Tensor h1d, long seed, Tensor h2) {}

    public record Result(Saved saved, Tensor out) {}

    public Result forward(ForwardContext ctx, Tensor r) {
        var be = ctx.be;
        Tensor pre = fc1.forwardNoBias(be, r);
        long seed = ctx.seedFor(ctx.headDropout);
        Tensor h1d = be.zeros(pre.shape());
        be.biasReluDropout(pre, fc1.bias.value, ctx.headDropout, seed, h1d);
        Tensor h2 = fc2.forward(be, h1d);
        return new Result(new Saved(r, pre, h1d, seed, h2), out.forward(be, h2));
    }

    /** Parameter gradients, and dr += ∂L/∂r when dr is given. */
    public void backward(ForwardContext ctx, Saved s, Tensor dOut, Tensor dr) {
        var be = ctx.be;
        Tensor dh2 = be.zeros(s.h2.shape());
        out.backward(be, s.h2, dOut, dh2);
        Tensor dh1d = be.zeros(s.h1d.shape());
        fc2.backward(be, s.h1d, dh2, dh1d);
        Tensor dPre = be.zeros(s.pre.shape());
        be.reluDropoutBackward(dh1d, s.pre, ctx.headDropout, s.seed, dPre);
        fc1.backward(be, s.r, dPre, dr);
    }
}
