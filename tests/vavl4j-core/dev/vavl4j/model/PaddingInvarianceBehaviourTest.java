package dev.vavl4j.model;

import static dev.vavl4j.testutil.Checks.assertBitEqual;
import static dev.vavl4j.testutil.Checks.assertClose;
import static dev.vavl4j.testutil.Checks.assertSameSubStep;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.vavl4j.backend.SeqMask;
import dev.vavl4j.backend.Tensor;
import dev.vavl4j.io.HostTensor;
import dev.vavl4j.layers.ForwardContext;
import dev.vavl4j.layers.Param;
import dev.vavl4j.testutil.Checks;
import dev.vavl4j.testutil.RandomModels;
import dev.vavl4j.testutil.RandomModels.Pad;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Spec §2/§9: no valid output depends on padded frames, and extra padding changes only rounding. */
class PaddingInvarianceBehaviourTest {
    // samples 2 (no visual) and 1 (no audio) have whole garbage rows in the missing modality
    private static final boolean[] HAS_A = {true, false, true, true, true};
    private static final boolean[] HAS_V = {true, true, false, true, true};
    private static final int[] LA = {7, 3, 5, 2, 6};
    private static final int[] LV = {4, 6, 2, 5, 3};

    private static VavlConfig config(String task) {
        return RandomModels.smallConfig(Map.of("task", task, "modality_layers", 1, "shared_layers", 2));
    }

    private static Batch batch(VavlConfig cfg, Pad pad) {
        return RandomModels.batch(cfg, 11, 7, LA, HAS_A, 6, LV, HAS_V, pad);
    }

    private static void assertSameInference(Inference.Result e, Inference.Result a) {
        for (String m : List.of("audio", "visual")) {
            Inference.Unimodal ue = m.equals("audio") ? e.audio() : e.visual();
            Inference.Unimodal ua = m.equals("audio") ? a.audio() : a.visual();
            assertArrayEquals(ue.rows(), ua.rows(), m + " rows");
            assertBitEqual("eval " + m + " representation", ue.representation(), ua.representation());
            assertBitEqual("eval " + m + " pred", ue.pred(), ua.pred());
        }
        assertArrayEquals(e.fusion().rows(), a.fusion().rows());
        assertBitEqual("eval fusion pred", e.fusion().pred(), a.fusion().pred());
    }

    @ParameterizedTest
    @ValueSource(strings = {"classification", "regression"})
    void garbagePaddingGivesBitIdenticalEvalAndTrainingStep(String task) {
        VavlConfig cfg = config(task);
        Map<String, HostTensor> w = RandomModels.weights(cfg, 3);
        Batch zero = batch(cfg, Pad.ZERO), garbage = batch(cfg, Pad.GARBAGE);
        // the garbage batch really holds NaN / inf / 1e30 where the zero batch holds 0
        assertEquals(Float.NaN, garbage.visual().x()[(0 * 6 + 4) * cfg.visualDim()]);
        assertEquals(0f, zero.visual().x()[(0 * 6 + 4) * cfg.visualDim()]);

        VavlModel mz = RandomModels.model(cfg, w), mg = RandomModels.model(cfg, w);
        Inference.Result ez = Inference.run(mz, zero), eg = Inference.run(mg, garbage);
        assertArrayEquals(new int[] {0, 2, 3, 4}, ez.audio().rows());
        assertArrayEquals(new int[] {0, 1, 3, 4}, ez.visual().rows());
        assertArrayEquals(new int[] {0, 3, 4}, ez.fusion().rows());
        assertSameInference(ez, eg);

        TrainStep.Report rz = new TrainStep(mz).run(zero, 5, true), rg = new TrainStep(mg).run(garbage, 5, true);
        assertNotNull(rz.visual());
        assertNotNull(rz.audio());
        assertNotNull(rz.fusion());
        assertSameSubStep("visual step", rz.visual(), rg.visual());
        assertSameSubStep("audio step", rz.audio(), rg.audio());
        assertSameSubStep("fusion step", rz.fusion(), rg.fusion());
        assertBitEqual("after step", Checks.snapshot(mz), Checks.snapshot(mg));
        // and the models still agree in eval after the update
        assertSameInference(Inference.run(mz, zero), Inference.run(mg, garbage));
    }

    @Test
    void paddingTheBatchToLongerTimesChangesOnlyRounding() {
        VavlConfig cfg = config("regression");
        Map<String, HostTensor> w = RandomModels.weights(cfg, 4);
        Batch tight = batch(cfg, Pad.ZERO);
        Batch loose = RandomModels.padTo(tight, 7 + 6, 6 + 9, Pad.GARBAGE);
        VavlModel mt = RandomModels.model(cfg, w), ml = RandomModels.model(cfg, w);
        Inference.Result et = Inference.run(mt, tight), el = Inference.run(ml, loose);
        assertClose("eval audio pred", et.audio().pred(), el.audio().pred(), 1e-5, 0);
        assertClose("eval visual repr", et.visual().representation(), el.visual().representation(), 1e-5, 0);
        assertClose("eval fusion pred", et.fusion().pred(), el.fusion().pred(), 1e-5, 0);
        TrainStep.Report rt = new TrainStep(mt).run(tight, 9, true), rl = new TrainStep(ml).run(loose, 9, true);
        for (String step : List.of("visual", "audio", "fusion")) {
            TrainStep.SubStep a = pick(rt, step), b = pick(rl, step);
            assertClose(step + " pred", a.pred(), b.pred(), 1e-5, 0);
            assertEquals(a.loss(), b.loss(), 1e-5 * Math.abs(a.loss()), step + " loss");
            a.grads().forEach((n, g) -> assertClose(step + " grad " + n, g, b.grads().get(n), 1e-5, 1e-7));
        }
    }

    private static TrainStep.SubStep pick(TrainStep.Report r, String step) {
        return switch (step) {
            case "visual" -> r.visual();
            case "audio" -> r.audio();
            default -> r.fusion();
        };
    }

    /**
     * Below the batch level (which re-pads each modality to its own longest sample): the encoder itself on
     * a tensor with 9 extra padded frames, in eval and train mode, forward, running statistics and backward.
     */
    @Test
    void encoderOnLongerPaddedTensorChangesOnlyRounding() {
        VavlConfig cfg = config("classification");
        Map<String, HostTensor> w = RandomModels.weights(cfg, 5);
        Batch b = batch(cfg, Pad.ZERO);
        SequenceBatch tight = b.visual().select(b.rowsWith(Modality.VISUAL)); // T = 6 (its longest)
        assertEquals(6, tight.time());
        SequenceBatch loose = RandomModels.padTo(tight, 15, Pad.GARBAGE);
        VavlModel mt = RandomModels.model(cfg, w), ml = RandomModels.model(cfg, w);

        float[] evalT = encode(mt, tight, false, null), evalL = encode(ml, loose, false, null);
        assertClose("eval r", evalT, evalL, 1e-5, 0);

        Random rnd = new Random(1);
        float[] dR = new float[evalT.length];
        for (int i = 0; i < dR.length; i++) dR[i] = (float) rnd.nextGaussian();
        float[] trainT = encode(mt, tight, true, dR), trainL = encode(ml, loose, true, dR);
        assertClose("train r", trainT, trainL, 1e-5, 0);
        Map<String, float[]> st = Checks.snapshot(mt), sl = Checks.snapshot(ml);
        st.forEach((n, v) -> {
            if (n.contains("running_")) assertClose("running stat " + n, v, sl.get(n), 1e-5, 0);
        });
        // the train-mode statistics actually moved the visual and shared buffers
        assertEquals(true, Checks.differs(w.get("visual.conformer.blocks.0.conv.bn.running_var").asFloats(),
                st.get("visual.conformer.blocks.0.conv.bn.running_var")));
        for (Param p : mt.unimodalParams(Modality.VISUAL)) {
            float[] gt = mt.backend().toHost(p.grad(mt.backend()));
            float[] gl = ml.backend().toHost(ml.store().param(p.name).grad(ml.backend()));
            // The key bias shifts every score of a query row by the same amount, which the softmax ignores:
            // its gradient is zero in exact arithmetic and what is computed is the residue of cancelling
            // sums, whose rounding depends on how the products are blocked (and so on the padded length).
            // Here both norms are about 1e-7 (float rounding of sums of order 1), so it gets an absolute bound.
            double abs = p.name.endsWith(".attn.k.bias") ? 1e-6 : 1e-7;
            assertClose("grad " + p.name, gt, gl, 1e-5, abs);
        }
    }

    /** r of the visual encoder; with dR also the backward (gradients left in the params). */
    private static float[] encode(VavlModel m, SequenceBatch x, boolean train, float[] dR) {
        ForwardContext ctx = m.context(train, 77);
        SeqMask[] mask = new SeqMask[1];
        Tensor t = m.upload(x, mask);
        VavlModel.Encoded e = m.encode(ctx, Modality.VISUAL, t, mask[0]);
        if (dR != null) {
            m.store().zeroGrads(m.unimodalParams(Modality.VISUAL));
            m.encodeBackward(ctx, e, m.backend().fromHost(dR, e.r().shape()));
        }
        return m.backend().toHost(e.r());
    }
}
