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
        // The batch's activations live in one workspace; only host arrays leave it.
        try (var ws = model.backend().openWorkspace()) {
            return runInWorkspace(model, batch);
        }
    }

    private static Result runInWorkspace(VavlModel model, Batch batch) {
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
            // In eval mode a sample's representation does not depend on the rest of its batch, so the
            // fusion rows reuse the unimodal representations instead of encoding both modalities again.
            int d = model.config().modelDim();
            float[] joint = new float[both.length * 2 * d];
            for (int i = 0; i < both.length; i++) {
                copyRow(uni[0], both[i], joint, i * 2 * d, d);
                copyRow(uni[1], both[i], joint, i * 2 * d + d, d);
            }
            Tensor j = be.fromHost(joint, both.length, 2 * d);
            fused = be.toHost(model.fusionHead().forward(model.context(false, 0), j).out());
        }
        return new Result(uni[0], uni[1], new Fused(both, fused));
    }

    /** Copies the representation of batch sample b (a row of u) into dst at offset. */
    private static void copyRow(Unimodal u, int b, float[] dst, int offset, int d) {
        int i = java.util.Arrays.binarySearch(u.rows(), b);
        System.arraycopy(u.representation(), i * d, dst, offset, d);
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
