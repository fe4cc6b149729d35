package dev.vavl4j.layers;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.DropoutHash;
import dev.vavl4j.backend.Tensor;

/**
 * What a forward pass needs besides its inputs: the backend, train or eval mode, whether backward will
 * follow (so activations are kept), dropout rates, and a source of dropout seeds. Each dropout site
 * draws the next seed in call order, so a pass is reproducible from its base seed.
 */
public final class ForwardContext {
    public final Backend be;
    public final boolean train;
    public final float dropout;
    public final float headDropout;
    public final float lnEps;
    public final float bnEps;
    public final float bnMomentum;
    private final long baseSeed;
    private long uses;

    public ForwardContext(Backend be, boolean train, float dropout, float headDropout, float lnEps, float bnEps,
                          float bnMomentum, long baseSeed) {
        this.be = be;
        this.train = train;
        this.dropout = train ? dropout : 0f;
        this.headDropout = train ? headDropout : 0f;
        this.lnEps = lnEps;
        this.bnEps = bnEps;
        this.bnMomentum = bnMomentum;
        this.baseSeed = baseSeed;
    }

    /** The seed of the next dropout site. */
    public long nextSeed() {
        return DropoutHash.derive(baseSeed, uses++);
    }

    /**
     * The seed of a dropout site with rate p that a fused op applies: the next seed, or 0 without drawing
     * one when p = 0 (as {@link #dropout} does, so the sites after it get the same seeds either way).
     */
    long seedFor(float p) {
        return p > 0f ? nextSeed() : 0L;
    }

    /** Applies dropout with rate p: a new tensor and its seed, or x itself when p = 0. */
    Dropped dropout(Tensor x, float p) {
        if (p <= 0f) return new Dropped(x, 0L);
        long seed = nextSeed();
        Tensor out = be.empty(x.shape());
        be.dropout(x, p, seed, out);
        return new Dropped(out, seed);
    }

    /** Backward of {@link #dropout}: the same mask (from its seed) applied to d; d itself when p = 0. */
    Tensor dropoutBackward(Tensor d, float p, long seed) {
        if (p <= 0f) return d;
        Tensor out = be.empty(d.shape());
        be.dropoutBackward(d, p, seed, out);
        return out;
    }

    record Dropped(Tensor out, long seed) {}
}
