package dev.vavl4j.layers;

import dev.vavl4j.backend.AttentionGrads;
import dev.vavl4j.backend.AttentionInputs;
import dev.vavl4j.backend.AttentionSaved;
import dev.vavl4j.backend.SeqMask;
import dev.vavl4j.backend.Tensor;

/**
 * MHSA(x) of spec §3: y = LN(x); q, k, v = linear(y); p(r) = P(r)·W_posᵀ; the backend's fused
 * relative-position attention core; out = drop(linear(ctx)).
 */
public final class RelPosAttention {
    private final LayerNorm norm;
    private final Linear q, k, v, out;
    private final Param pos, uBias, vBias;
    private final int heads;

    /** Declares and takes norm, q, k, v, out (d→d), pos.weight [d, d], u_bias and v_bias [H, d/H] (Xavier). */
    public RelPosAttention(Declarations ds, String prefix, int d, int heads) {
        norm = LayerNorm.declare(ds, prefix + ".norm", d);
        q = Linear.declare(ds, prefix + ".q", d, d);
        k = Linear.declare(ds, prefix + ".k", d, d);
        v = Linear.declare(ds, prefix + ".v", d, d);
        out = Linear.declare(ds, prefix + ".out", d, d);
        pos = ds.param(prefix + ".pos.weight", new int[] {d, d}, Init.uniform(d));
        uBias = ds.param(prefix + ".u_bias", new int[] {heads, d / heads}, Init.XAVIER);
        vBias = ds.param(prefix + ".v_bias", new int[] {heads, d / heads}, Init.XAVIER);
        this.heads = heads;
    }

    public record Saved(LayerNorm.Saved ln, Tensor q, Tensor k, Tensor v, Tensor table, Tensor pos, Tensor probs,
                        long probSeed, Tensor ctx, long outSeed) {}

    public record Result(Saved saved, Tensor out) {}

    public Result forward(ForwardContext ctx, Tensor x, SeqMask mask) {
        var be = ctx.be;
        int B = x.dim(0), T = x.dim(1), d = x.dim(2);
        LayerNorm.Saved ln = norm.forward(ctx, x);
        Tensor qt = q.forward(be, ln.y(), mask), kt = k.forward(be, ln.y(), mask), vt = v.forward(be, ln.y(), mask);
        Tensor table = be.fromHost(RelPosTable.get(T, d), 2 * T - 1, d);
        Tensor p = be.empty(2 * T - 1, d);
        be.gemm(table, false, pos.value, true, p, 1f, 0f);
        Tensor probs = be.empty(B, heads, T, T);
        Tensor c = be.empty(B, T, d);
        long probSeed = ctx.dropout > 0 ? ctx.nextSeed() : 0L;
        be.relPosAttention(new AttentionInputs(qt, kt, vt, p, uBias.value, vBias.value), heads, mask,
                new AttentionSaved(probs, ctx.dropout, probSeed), c);
        ForwardContext.Dropped o = ctx.dropout(out.forward(be, c, mask), ctx.dropout);
        return new Result(new Saved(ln, qt, kt, vt, table, p, probs, probSeed, c, o.seed()), o.out());
    }

    /** dx += ∂L/∂x given dOut = ∂L/∂MHSA(x). */
    public void backward(ForwardContext ctx, Saved s, Tensor dOut, SeqMask mask, Tensor dx) {
        var be = ctx.be;
        Tensor dy = ctx.dropoutBackward(dOut, ctx.dropout, s.outSeed);
        Tensor dCtx = be.zeros(s.ctx.shape());
        out.backward(be, s.ctx, dy, dCtx, mask);
        Tensor dq = be.empty(s.q.shape()), dk = be.empty(s.k.shape()), dv = be.empty(s.v.shape());
        Tensor dPos = be.empty(s.pos.shape());
        be.relPosAttentionBackward(dCtx, new AttentionInputs(s.q, s.k, s.v, s.pos, uBias.value, vBias.value), heads,
                mask, new AttentionSaved(s.probs, ctx.dropout, s.probSeed),
                new AttentionGrads(dq, dk, dv, dPos, uBias.grad(be), vBias.grad(be)));
        be.gemm(dPos, true, s.table, false, pos.grad(be), 1f, 1f);
        Tensor dLn = be.zeros(s.ln.y().shape());
        q.backward(be, s.ln.y(), dq, dLn, mask);
        k.backward(be, s.ln.y(), dk, dLn, mask);
        v.backward(be, s.ln.y(), dv, dLn, mask);
        norm.backward(ctx, s.ln, dLn, dx);
    }
}
