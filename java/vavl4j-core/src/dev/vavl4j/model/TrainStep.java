package dev.vavl4j.model;

import dev.vavl4j.backend.AdamHyper;
import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.DropoutHash;
import dev.vavl4j.backend.SeqMask;
import dev.vavl4j.backend.Tensor;
import dev.vavl4j.layers.ForwardContext;
import dev.vavl4j.layers.MlpHead;
import dev.vavl4j.layers.Param;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One VAVL training step on a batch (spec §6), in order: the visual step, the audio step (on the weights
 * step 1 updated), and the fusion step (encoders in eval mode without gradient, fusion head trained).
 * A step with fewer than 2 eligible samples is skipped. Adam counts updates per parameter.
 */
public final class TrainStep {
    /** Minimum number of samples for a step: masked batch norm needs n − 1 > 0. */
    public static final int MIN_SAMPLES = 2;

    private final VavlModel model;
    private final Backend be;
    private final VavlConfig cfg;
    /** The options of the step being run (one step at a time: a TrainStep is not shared between threads). */
    private Options options = Options.SPEC;

    public TrainStep(VavlModel model) {
        this.model = model;
        this.be = model.backend();
        this.cfg = model.config();
    }

    /** What one sub-step computed before its update (host copies), or null when it was skipped. */
    public record SubStep(int[] rows, float[] pred, float[] recon, double loss, double reconLoss,
                          Map<String, float[]> grads) {}

    public record Report(SubStep visual, SubStep audio, SubStep fusion) {}

    /**
     * What the trainer's small-data options change in a step; {@link #SPEC} changes nothing (spec §6 exactly).
     *
     * @param lrFactor     the learning rate of every Adam update is {@code lr · lrFactor} (a schedule's factor)
     * @param maxGradNorm  when > 0, each sub-step's gradient (over the parameters it updates) is scaled down to
     *                     this L2 norm when its norm is larger, before Adam and its weight decay
     * @param classWeights per-class weights of the cross-entropy ({@code [C]} on this backend), or null
     */
    public record Options(double lrFactor, double maxGradNorm, Tensor classWeights) {
        public static final Options SPEC = new Options(1, 0, null);

        public Options {
            if (!(lrFactor >= 0 && lrFactor <= 1)) throw new IllegalArgumentException("lrFactor must be in [0, 1], got " + lrFactor);
            if (!(maxGradNorm >= 0) || Double.isInfinite(maxGradNorm)) throw new IllegalArgumentException("maxGradNorm must be finite and ≥ 0, got " + maxGradNorm);
        }
    }

    /**
     * Runs the step. {@code seed} drives dropout; with {@code keepGradients} every updated parameter's
     * gradient is copied to the report (the parity fixtures need them).
     */
    public Report run(Batch batch, long seed, boolean keepGradients) {
        return run(batch, seed, keepGradients, Options.SPEC);
    }

    /** {@link #run(Batch, long, boolean)} with the trainer's {@link Options}; reported gradients are before clipping. */
    public Report run(Batch batch, long seed, boolean keepGradients, Options options) {
        this.options = java.util.Objects.requireNonNull(options, "options");
        // Every activation of the step lives in one workspace: on a GPU the next step reuses its memory.
        try (var ws = be.openWorkspace()) {
            SubStep v = unimodal(batch, Modality.VISUAL, DropoutHash.derive(seed, 1), keepGradients);
            SubStep a = unimodal(batch, Modality.AUDIO, DropoutHash.derive(seed, 2), keepGradients);
            SubStep f = fusion(batch, DropoutHash.derive(seed, 3), keepGradients);
            return new Report(v, a, f);
        }
    }

    private SubStep unimodal(Batch batch, Modality m, long seed, boolean keepGradients) {
        int[] rows = batch.rowsWith(m);
        if (rows.length < MIN_SAMPLES) return null;
        List<Param> params = model.unimodalParams(m);
        model.store().zeroGrads(params);
        ForwardContext ctx = model.context(true, seed);
        SeqMask[] mask = new SeqMask[1];
        Tensor x = model.upload(batch.input(m).select(rows), mask);
        VavlModel.Encoded enc = model.encode(ctx, m, x, mask[0]);
        MlpHead head = model.head(m), recon = model.recon(m);
        MlpHead.Result pred = head.forward(ctx, enc.r());
        MlpHead.Result rec = recon.forward(ctx, enc.r());

        Tensor labels = be.fromHost(batch.labelRows(rows), rows.length, cfg.outputs());
        Tensor dPred = be.zeros(pred.out().shape());
        double taskLoss = Losses.task(cfg, be, pred.out(), labels, options.classWeights(), dPred);
        Tensor dRec = be.zeros(rec.out().shape());
        double reconLoss = be.reconstructionMse(rec.out(), x, mask[0], (float) cfg.reconWeight(), dRec);

        Tensor dR = be.zeros(enc.r().shape());
        head.backward(ctx, pred.saved(), dPred, dR);
        recon.backward(ctx, rec.saved(), dRec, dR);
        model.encodeBackward(ctx, enc, dR);

        SubStep report = new SubStep(rows, be.toHost(pred.out()), be.toHost(rec.out()),
                taskLoss + cfg.reconWeight() * reconLoss, reconLoss, gradients(params, keepGradients));
        adam(params);
        return report;
    }

    private SubStep fusion(Batch batch, long seed, boolean keepGradients) {
        int[] rows = batch.rowsWithBoth();
        if (rows.length < MIN_SAMPLES) return null;
        Tensor joint = Inference.fusedRepresentation(model, batch, rows);
        List<Param> params = model.fusionParams();
        model.store().zeroGrads(params);
        ForwardContext ctx = model.context(true, seed);
        MlpHead.Result pred = model.fusionHead().forward(ctx, joint);
        Tensor labels = be.fromHost(batch.labelRows(rows), rows.length, cfg.outputs());
        Tensor dPred = be.zeros(pred.out().shape());
        double loss = Losses.task(cfg, be, pred.out(), labels, options.classWeights(), dPred);
        model.fusionHead().backward(ctx, pred.saved(), dPred, null);
        SubStep report = new SubStep(rows, be.toHost(pred.out()), null, loss, Double.NaN,
                gradients(params, keepGradients));
        adam(params);
        return report;
    }

    private Map<String, float[]> gradients(List<Param> params, boolean keep) {
        Map<String, float[]> out = new LinkedHashMap<>();
        if (keep) for (Param p : params) out.put(p.name, be.toHost(p.grad(be)));
        return out;
    }

    private void adam(List<Param> params) {
        if (options.maxGradNorm() > 0) clip(params, options.maxGradNorm());
        List<Tensor> values = new ArrayList<>(), grads = new ArrayList<>(), ms = new ArrayList<>(), vs = new ArrayList<>();
        int[] steps = new int[params.size()];
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            values.add(p.value);
            grads.add(p.grad(be));
            ms.add(p.adamM(be));
            vs.add(p.adamV(be));
            p.setSteps(p.steps() + 1);
            steps[i] = p.steps();
        }
        be.adam(values, grads, ms, vs, steps,
                new AdamHyper(cfg.lr() * options.lrFactor(), cfg.beta1(), cfg.beta2(), cfg.adamEps(), cfg.weightDecay()));
    }

    /**
     * Scales the gradients of {@code params} by {@code max / ‖g‖} when their joint L2 norm ‖g‖ exceeds
     * {@code max} (PyTorch's {@code clip_grad_norm_}, without its 1e-6 in the denominator). A non-finite norm
     * is left for the trainer's divergence check to report, not hidden by a NaN scale.
     */
    private void clip(List<Param> params, double max) {
        double sq = 0;
        for (Param p : params) sq += be.sumOfSquares(p.grad(be));
        double norm = Math.sqrt(sq);
        if (!(norm > max) || !Double.isFinite(norm)) return;
        float scale = (float) (max / norm);
        for (Param p : params) be.scaleInto(p.grad(be), scale, p.grad(be));
    }
}
