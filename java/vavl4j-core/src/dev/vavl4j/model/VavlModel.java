package dev.vavl4j.model;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.SeqMask;
import dev.vavl4j.backend.Tensor;
import dev.vavl4j.layers.Conformer;
import dev.vavl4j.layers.ConformerBlock;
import dev.vavl4j.layers.Declarations;
import dev.vavl4j.layers.ForwardContext;
import dev.vavl4j.layers.LayerNorm;
import dev.vavl4j.layers.Linear;
import dev.vavl4j.layers.MlpHead;
import dev.vavl4j.layers.Param;

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
        this(cfg, Declarations.over(store), store, store.backend());
    }

    /**
     * Builds the layers, each declaring the parameters and buffers it reads into {@code ds}, in spec §8 order
     * (the order of the layout, of checkpoints and of the initialiser's random draws): per modality the
     * projection and its Conformer, then the shared Conformer and norm, the unimodal and fusion heads, the
     * recon heads.
     */
    VavlModel(VavlConfig cfg, Declarations ds, ParameterStore store, Backend be) {
        this.cfg = cfg;
        this.store = store;
        this.be = be;
        ConformerBlock.Dims dims = blockDims(cfg);
        int d = cfg.modelDim(), h1 = cfg.headHidden1(), h2 = cfg.headHidden2();
        projAudio = Linear.declareNoBias(ds, "audio.proj", cfg.audioDim(), cfg.projDim());
        encAudio = new Conformer(ds, "audio.conformer", cfg.projDim(), cfg.modalityLayers(), dims);
        projVisual = Linear.declareNoBias(ds, "visual.proj", cfg.visualDim(), cfg.projDim());
        encVisual = new Conformer(ds, "visual.conformer", cfg.projDim(), cfg.modalityLayers(), dims);
        shared = new Conformer(ds, "shared.conformer", d, cfg.sharedLayers(), dims);
        sharedNorm = LayerNorm.declare(ds, "shared.norm", d);
        headAudio = new MlpHead(ds, "head.audio", d, h1, h2, cfg.outputs());
        headVisual = new MlpHead(ds, "head.visual", d, h1, h2, cfg.outputs());
        headFusion = new MlpHead(ds, "head.fusion", 2 * d, h1, h2, cfg.outputs());
        reconAudio = new MlpHead(ds, "recon.audio", d, h1, h2, cfg.audioDim());
        reconVisual = new MlpHead(ds, "recon.visual", d, h1, h2, cfg.visualDim());
    }

    /** Every parameter and buffer of {@code cfg}, as the layers declare them (no tensors are made). */
    public static Declarations declare(VavlConfig cfg) {
        Declarations ds = new Declarations();
        new VavlModel(cfg, ds, null, null);
        return ds;
    }

    /** The sizes of a Conformer block of {@code cfg}. */
    public static ConformerBlock.Dims blockDims(VavlConfig cfg) {
        return new ConformerBlock.Dims(cfg.modelDim(), cfg.ffExpansion() * cfg.modelDim(), cfg.heads(), cfg.convKernel());
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
