package dev.vavl4j.layers;

import dev.vavl4j.backend.SeqMask;
import dev.vavl4j.backend.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Conformer(n): x = drop(input_linear(x)), then n blocks (spec §3). */
public final class Conformer {
    private final Linear input;
    private final List<ConformerBlock> blocks = new ArrayList<>();

    /** Declares and takes input (in→d) and {@code layers} blocks. */
    public Conformer(Declarations ds, String prefix, int in, int layers, ConformerBlock.Dims dims) {
        input = Linear.declare(ds, prefix + ".input", in, dims.d());
        for (int i = 0; i < layers; i++) blocks.add(new ConformerBlock(ds, prefix + ".blocks." + i, dims));
    }

    public record Saved(Tensor x, long inputSeed, List<ConformerBlock.Saved> blocks) {}

    public record Result(Saved saved, Tensor out) {}

    public Result forward(ForwardContext ctx, Tensor x, SeqMask mask) {
        ForwardContext.Dropped in = ctx.dropout(input.forward(ctx.be, x, mask), ctx.dropout);
        Tensor h = in.out();
        List<ConformerBlock.Saved> saved = new ArrayList<>();
        for (ConformerBlock b : blocks) {
            ConformerBlock.Result r = b.forward(ctx, h, mask);
            saved.add(r.saved());
            h = r.out();
        }
        return new Result(new Saved(x, in.seed(), saved), h);
    }

    /** Parameter gradients, and dx += ∂L/∂x when dx is given. */
    public void backward(ForwardContext ctx, Saved s, Tensor dOut, SeqMask mask, Tensor dx) {
        var be = ctx.be;
        Tensor d = dOut;
        for (int i = blocks.size() - 1; i >= 0; i--) {
            Tensor dIn = be.zeros(d.shape());
            blocks.get(i).backward(ctx, s.blocks.get(i), d, mask, dIn);
            d = dIn;
        }
        d = ctx.dropoutBackward(d, ctx.dropout, s.inputSeed);
        input.backward(be, s.x, d, dx, mask);
    }
}
