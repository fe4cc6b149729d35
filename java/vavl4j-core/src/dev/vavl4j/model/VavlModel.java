package dev.vavl4j.model;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.SeqMask;
import dev.vavl4j.backend.Tensor;
import dev.vavl4j.layers.Conformer;
import dev.vavl4j.layers.ForwardContext;
import dev.vavl4j.layers.LayerNorm;
import dev.vavl4j.layers.Linear;
import dev.vavl4j.layers.MlpHead;
import dev.vavl4j.layers.Param;
import dev.vavl4j.layers.ParamSource;

/**
 * The VAVL model of spec §4: per-modality projection and Conformer encoder, shared Conformer layers with
 * a residual connection and LayerNorm over them, masked mean pooling, and the unimodal, fusion and
 * reconstruction MLP heads. Forward/backward of the representation path; heads are exposed as layers.
 */
public final class VavlModel {
    private final VavlConfig cfg;
    private final ParameterStore store;
    private final Backend be;
    private final Linear projAudio, projVisual;
    private final Conformer encAudio, encVisual, shared;
    private final LayerNorm sharedNorm;
    final MlpHead headAudio, headVisual, headFusion, reconAudio, reconVisual;

    public VavlModel(VavlConfig cfg, ParameterStore store) {
        this.cfg = cfg;
        this.store = store;
        this.be = store.backend();
        ParamSource ps = store;
        int H = cfg.heads();
        projAudio = new Linear(ps.param("audio.proj.weight"), null);
        projVisual = new Linear(ps.param("visual.proj.weight"), null);
        encAudio = new Conformer(ps, "audio.conformer", cfg.modalityLayers(), H);
        encVisual = new Conformer(ps, "visual.conformer", cfg.modalityLayers(), H);
        shared = new Conformer(ps, "shared.conformer", cfg.sharedLayers(), H);
        sharedNorm = ps.layerNorm("shared.norm");
        headAudio = new MlpHead(ps, "head.audio");
        headVisual = new MlpHead(ps, "head.visual");
        headFusion = new MlpHead(ps, "head.fusion");
        reconAudio = new MlpHead(ps, "recon.audio");
        reconVisual = new MlpHead(ps, "recon.visual");
    }

    public VavlConfig config() {
        return cfg;
    }

    public ParameterStore store() {
        return store;
    }

    public Backend backend() {
        return be;
    }

    public ForwardContext context(boolean train, long seed) {
        return new ForwardContext(be, train, (float) cfg.dropout(), (float) cfg.headDropout(), (float) cfg.lnEps(),
                (float) cfg.bnEps(), (float) cfg.bnMomentum(), seed);
    }

    public MlpHead head(Modality m) {
        return m == Modality.AUDIO ? headAudio : headVisual;
    }

    public MlpHead recon(Modality m) {
        return m == Modality.AUDIO ? reconAudio : reconVisual;
    }

    public MlpHead fusionHead() {
        return headFusion;
    }

    /** Everything the representation's backward needs, plus r_m itself. */
    public record Encoded(Modality modality, SeqMask mask, Tensor input, Conformer.Saved enc, Conformer.Saved shared,
                          Tensor h, LayerNorm.Saved norm, Tensor r) {}

    /** Uploads one modality's host batch and its mask; padded frames are zeroed by select (spec §9). */
    public Tensor upload(SequenceBatch x, SeqMask[] maskOut) {
        SeqMask mask = be.mask(x.lengths(), x.time());
        Tensor t = be.fromHost(x.x(), x.batch(), x.time(), x.dim());
        be.zeroPadded(t, mask);
        maskOut[0] = mask;
        return t;
    }

    /**
     * r_m = masked mean of LN_shared(Conformer_shared(h_m) + h_m), h_m = Conformer_m(X_m·proj_mᵀ).
     * {@code x} must already have its padded frames zeroed (see {@link #upload}).
     */
    public Encoded encode(ForwardContext ctx, Modality m, Tensor x, SeqMask mask) {
        Linear proj = m == Modality.AUDIO ? projAudio : projVisual;
        Conformer enc = m == Modality.AUDIO ? encAudio : encVisual;
        Tensor p = proj.forward(be, x, mask);
        Conformer.Result h = enc.forward(ctx, p, mask);
        Conformer.Result s = shared.forward(ctx, h.out(), mask);
        Tensor sum = be.empty(s.out().shape());
        be.copy(s.out(), sum);
        be.axpy(1f, h.out(), sum);
        LayerNorm.Saved z = sharedNorm.forward(ctx, sum);
        Tensor r = be.zeros(x.dim(0), cfg.modelDim());
        be.maskedMeanPool(z.y(), mask, r);
        return new Encoded(m, mask, x, h.saved(), s.saved(), h.out(), z, r);
    }

    /** Accumulates the gradients of every parameter on the representation path given ∂L/∂r. */
    public void encodeBackward(ForwardContext ctx, Encoded e, Tensor dR) {
        Tensor dz = be.zeros(e.norm.y().shape());
        be.maskedMeanPoolBackward(dR, e.mask, dz);
        Tensor dSum = be.zeros(dz.shape());
        sharedNorm.backward(ctx, e.norm, dz, dSum);
        Tensor dh = be.zeros(dz.shape());
        be.copy(dSum, dh); // the residual over the shared layers
        shared.backward(ctx, e.shared, dSum, e.mask, dh);
        Conformer enc = e.modality == Modality.AUDIO ? encAudio : encVisual;
        Tensor dp = be.zeros(e.enc.x().shape());
        enc.backward(ctx, e.enc, dh, e.mask, dp);
        Linear proj = e.modality == Modality.AUDIO ? projAudio : projVisual;
        proj.backward(be, e.input, dp, null, e.mask);
    }

    /** Parameters updated by the unimodal step of m (spec §6). */
    public java.util.List<Param> unimodalParams(Modality m) {
        return store.select(java.util.List.of(m.key + ".", "shared.", "head." + m.key + ".", "recon." + m.key + "."));
    }

    public java.util.List<Param> fusionParams() {
        return store.select(java.util.List.of("head.fusion."));
    }
}
