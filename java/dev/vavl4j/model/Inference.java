package dev.vavl4j.model;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.SeqMask;
import dev.vavl4j.backend.Tensor;
import dev.vavl4j.layers.ForwardContext;

/**
 * Eval-mode inference (spec §7): every sample with audio gets pred_audio, with visual pred_visual, with
 * both also pred_av. Running batch-norm statistics, no dropout, no gradient.
 */
public final class Inference {
    private Inference() {}

    /** Rows (batch indices), representations r_m [n, d] and predictions [n, C] of one modality. */
    public record Unimodal(int[] rows, float[] representation, float[] pred) {}

    public record Fused(int[] rows, float[] pred) {}

    public record Result(Unimodal audio, Unimodal visual, Fused fusion) {}

    public static Result run(VavlModel model, Batch batch) {
        Backend be = model.backend();
        Unimodal[] uni = new Unimodal[2];
        for (Modality m : Modality.values()) {
            int[] rows = batch.rowsWith(m);
            if (rows.length == 0) {
                uni[m.ordinal()] = new Unimodal(rows, new float[0], new float[0]);
                continue;
            }
            Tensor r = represent(model, batch, m, rows);
            Tensor pred = model.head(m).forward(model.context(false, 0), r).out();
            uni[m.ordinal()] = new Unimodal(rows, be.toHost(r), be.toHost(pred));
        }
        int[] both = batch.rowsWithBoth();
        float[] fused = new float[0];
        if (both.length > 0) {
            Tensor joint = fusedRepresentation(model, batch, both);
            fused = be.toHost(model.fusionHead().forward(model.context(false, 0), joint).out());
        }
        return new Result(uni[0], uni[1], new Fused(both, fused));
    }

    /** Eval-mode r_m [rows, d] of the given samples. */
    static Tensor represent(VavlModel model, Batch batch, Modality m, int[] rows) {
        ForwardContext ctx = model.context(false, 0);
        SeqMask[] mask = new SeqMask[1];
        Tensor x = model.upload(batch.input(m).select(rows), mask);
        return model.encode(ctx, m, x, mask[0]).r();
    }

    /** [r_audio | r_visual] in eval mode for samples that have both modalities. */
    static Tensor fusedRepresentation(VavlModel model, Batch batch, int[] rows) {
        Backend be = model.backend();
        Tensor ra = represent(model, batch, Modality.AUDIO, rows);
        Tensor rv = represent(model, batch, Modality.VISUAL, rows);
        Tensor joint = be.zeros(rows.length, 2 * model.config().modelDim());
        be.concatColumns(ra, rv, joint);
        return joint;
    }
}
