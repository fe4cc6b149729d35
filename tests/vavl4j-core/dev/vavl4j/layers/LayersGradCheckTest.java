package dev.vavl4j.layers;

import static dev.vavl4j.testutil.GradCheck.assertZeroAtPadded;
import static dev.vavl4j.testutil.GradCheck.maxAbs;
import static dev.vavl4j.testutil.GradCheck.minus;
import static dev.vavl4j.testutil.GradCheck.randn;
import static dev.vavl4j.testutil.GradCheck.sequence;
import static dev.vavl4j.testutil.GradCheck.validWeights;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.SeqMask;
import dev.vavl4j.backend.Tensor;
import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.model.ParameterStore;
import dev.vavl4j.model.VavlConfig;
import dev.vavl4j.model.VavlModel;
import dev.vavl4j.testutil.GradCheck;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Finite-difference checks of every layer's backward (gradients of all its parameters and of its input)
 * on the CPU backend: B = 3, T = 7 with lengths [7, 4, 2], d = 8, H = 2, K = 5, garbage in padded input
 * frames and a loss over valid output frames (spec §2: no valid output may depend on padded frames, so
 * their outputs are don't-care). Train mode, so the conv module's batch norm uses batch statistics that
 * depend on the input. Layers that take dropout are also checked with dropout &gt; 0: every evaluation
 * builds a fresh {@link ForwardContext} with the same base seed, so the masks are the same each time and
 * the check shows that backward regenerates them. Method and tolerances: {@link GradCheck}.
 */
class LayersGradCheckTest {
    private static final int B = 3, T = 7, D = 8, H = 2;
    private static final int[] LENGTHS = {7, 4, 2};
    private static final long SEED = 0x5EEDL;
    /** Parameter steps: 1% of each tensor's RMS (at least 1e-3), see GradCheck. */
    private static final double REL_STEP = 1e-2;

    private final Backend be = new CpuBackend();
    private final SeqMask mask = be.mask(LENGTHS, T);

    private ForwardContext ctx(float dropout, float headDropout) {
        return new ForwardContext(be, true, dropout, headDropout, 1e-5f, 1e-5f, 0.1f, SEED);
    }

    private ParameterStore store(Map<String, Object> overrides) {
        VavlConfig cfg = GradCheck.tinyConfig(overrides);
        return GradCheck.randomStore(be, cfg, 77);
    }

    private float[] h(Tensor t) {
        return be.toHost(t);
    }

    /**
     * The common pattern: forward once and backward with dOut = w (dx pre-filled with random values that
     * are subtracted, since layers accumulate into dx), then check every parameter and the input.
     */
    private GradCheck checkLayer(String what, List<Param> params, Tensor x, float[] w,
                                 Function<ForwardContext, Tensor> forward, Backward backward, float dropout,
                                 float headDropout, boolean masked) {
        Tensor dOut = be.fromHost(w, forward.apply(ctx(dropout, headDropout)).shape());
        GradCheck.zeroGrads(be, params);
        float[] acc = randn(new Random(5), x.size(), 1.0);
        Tensor dx = be.fromHost(acc.clone(), x.shape());
        ForwardContext c = ctx(dropout, headDropout);
        backward.run(c, dOut, dx);
        float[] gx = minus(h(dx), acc);
        if (masked) assertZeroAtPadded(gx, LENGTHS, T, x.dim(-1), what + " dx");
        GradCheck gc = new GradCheck(be, 99, () -> h(forward.apply(ctx(dropout, headDropout))), w);
        for (Param p : params) {
            if (p.name.endsWith("attn.k.bias")) {
                assertKeyBiasHasNoGradient(gc, params, p);
                continue;
            }
            gc.checkRel(p.name, p.value, h(p.grad(be)), REL_STEP, 0.1);
        }
        gc.check(what + " input", x, gx, 1e-2);
        return gc;
    }

    @FunctionalInterface
    private interface Backward {
        /** Runs the forward with {@code c} (whose dropout seeds backward must reuse), then the backward. */
        void run(ForwardContext c, Tensor dOut, Tensor dx);
    }

    /**
     * Spec §9: attn.k.bias has an exactly zero gradient (softmax ignores a constant per row). Its analytic
     * gradient must be at rounding level next to the other attention weights', and L must not move when
     * it is perturbed.
     */
    private void assertKeyBiasHasNoGradient(GradCheck gc, List<Param> params, Param kBias) {
        String prefix = kBias.name.substring(0, kBias.name.length() - "k.bias".length());
        Param qBias = params.stream().filter(p -> p.name.equals(prefix + "q.bias")).findFirst().orElseThrow();
        double scale = maxAbs(h(qBias.grad(be)));
        double kb = maxAbs(h(kBias.grad(be)));
        assertTrue(scale > 1e-3, "q.bias gradient should not vanish: " + scale);
        assertTrue(kb <= 1e-5 * scale, kBias.name + " gradient " + kb + " is not ~0 (q.bias scale " + scale + ")");
        gc.assertInsensitive(kBias.name, kBias.value, 0.3);
    }

    // ------------------------------------------------------------------ Linear, LayerNorm

    @Test
    void linear() {
        Random r = new Random(1);
        int in = 6, out = 5;
        Linear lin = new Linear(new Param("w", randn(be, r, 0.4, out, in)), new Param("b", randn(be, r, 0.3, out)));
        Tensor x = randn(be, r, 1, B, T, in);
        float[] w = randn(r, B * T * out, 1);
        checkLayer("linear", List.of(lin.weight, lin.bias), x, w, c -> lin.forward(c.be, x),
                (c, dOut, dx) -> lin.backward(c.be, x, dOut, dx), 0f, 0f, false);
        // dx is optional
        GradCheck.zeroGrads(be, List.of(lin.weight, lin.bias));
        lin.backward(be, x, be.fromHost(w, B, T, out), null);
        assertTrue(maxAbs(h(lin.weight.grad(be))) > 0);
    }

    @Test
    void linearWithoutBias() {
        Random r = new Random(2);
        Linear lin = new Linear(new Param("w", randn(be, r, 0.4, 3, 6)), null);
        Tensor x = randn(be, r, 1, 4, 6);
        float[] w = randn(r, 4 * 3, 1);
        checkLayer("linear (no bias)", List.of(lin.weight), x, w, c -> lin.forward(c.be, x),
                (c, dOut, dx) -> lin.backward(c.be, x, dOut, dx), 0f, 0f, false);
    }

    @Test
    void layerNorm() {
        Random r = new Random(3);
        float[] wv = randn(r, D, 0.3);
        for (int i = 0; i < D; i++) wv[i] += 1f;
        LayerNorm ln = new LayerNorm(new Param("w", be.fromHost(wv, D)), new Param("b", randn(be, r, 0.3, D)));
        Tensor x = randn(be, r, 2, B, T, D);
        float[] w = randn(r, B * T * D, 1);
        checkLayer("layer norm", List.of(ln.weight, ln.bias), x, w, c -> ln.forward(c, x).y(),
                (c, dOut, dx) -> ln.backward(c, ln.forward(c, x), dOut, dx), 0f, 0f, false);
    }

    // ------------------------------------------------------------------ Conformer parts

    @ParameterizedTest
    @ValueSource(floats = {0f, 0.2f})
    void feedForward(float dropout) {
        ParameterStore ps = store(Map.of());
        String prefix = "audio.conformer.blocks.0.ff1";
        FeedForward ff = new FeedForward(Declarations.over(ps), prefix, D, 2 * D);
        Random r = new Random(4);
        Tensor x = randn(be, r, 1.5, B, T, D);
        float[] w = randn(r, B * T * D, 1); // row-wise layer: every row is a real output
        checkLayer("ff", ps.select(List.of(prefix + ".")), x, w, c -> ff.forward(c, x, null).out(),
                (c, dOut, dx) -> ff.backward(c, ff.forward(c, x, null), dOut, null, dx), dropout, 0f, false);
    }

    @ParameterizedTest
    @ValueSource(floats = {0f, 0.2f})
    void relPosAttention(float dropout) {
        ParameterStore ps = store(Map.of());
        String prefix = "audio.conformer.blocks.0.attn";
        RelPosAttention attn = new RelPosAttention(Declarations.over(ps), prefix, D, H);
        Random r = new Random(5);
        Tensor x = be.fromHost(sequence(r, LENGTHS, T, D, 1.5, 40), B, T, D);
        float[] w = validWeights(r, LENGTHS, T, D);
        List<Param> params = ps.select(List.of(prefix + "."));
        assertEquals(13, params.size()); // norm 2, q/k/v/out 8, pos, u, v
        checkLayer("attention", params, x, w, c -> attn.forward(c, x, mask).out(),
                (c, dOut, dx) -> attn.backward(c, attn.forward(c, x, mask).saved(), dOut, mask, dx), dropout, 0f,
                true);
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void convModule(int K) {
        ParameterStore ps = store(Map.of("conv_kernel", K));
        String prefix = "audio.conformer.blocks.0.conv";
        ConvModule conv = new ConvModule(Declarations.over(ps), prefix, D, K);
        Random r = new Random(6);
        Tensor x = be.fromHost(sequence(r, LENGTHS, T, D, 1.5, 1e3), B, T, D);
        float[] w = validWeights(r, LENGTHS, T, D);
        List<Param> params = ps.select(List.of(prefix + "."));
        assertEquals(9, params.size()); // norm 2, pw1 2, depthwise, bn 2, pw2 2
        checkLayer("conv", params, x, w, c -> conv.forward(c, x, mask).out(),
                (c, dOut, dx) -> conv.backward(c, conv.forward(c, x, mask).saved(), dOut, mask, dx), 0f, 0f, true);
    }

    @Test
    void convModuleWithDropout() {
        ParameterStore ps = store(Map.of());
        String prefix = "audio.conformer.blocks.0.conv";
        ConvModule conv = new ConvModule(Declarations.over(ps), prefix, D, GradCheck.tinyConfig(Map.of()).convKernel());
        Random r = new Random(7);
        Tensor x = be.fromHost(sequence(r, LENGTHS, T, D, 1.5, 1e3), B, T, D);
        float[] w = validWeights(r, LENGTHS, T, D);
        checkLayer("conv (dropout)", ps.select(List.of(prefix + ".")), x, w, c -> conv.forward(c, x, mask).out(),
                (c, dOut, dx) -> conv.backward(c, conv.forward(c, x, mask).saved(), dOut, mask, dx), 0.3f, 0f,
                true);
    }

    @ParameterizedTest
    @ValueSource(floats = {0f, 0.2f})
    void conformerBlock(float dropout) {
        ParameterStore ps = store(Map.of());
        String prefix = "audio.conformer.blocks.0";
        ConformerBlock block = new ConformerBlock(Declarations.over(ps), prefix, VavlModel.blockDims(GradCheck.tinyConfig(Map.of())));
        Random r = new Random(8);
        Tensor x = be.fromHost(sequence(r, LENGTHS, T, D, 1.5, 40), B, T, D);
        float[] w = validWeights(r, LENGTHS, T, D);
        List<Param> params = ps.select(List.of(prefix + "."));
        assertEquals(6 + 6 + 13 + 9 + 2, params.size()); // every parameter of the block
        checkLayer("block", params, x, w, c -> block.forward(c, x, mask).out(),
                (c, dOut, dx) -> block.backward(c, block.forward(c, x, mask).saved(), dOut, mask, dx), dropout,
                0f, true);
    }

    /** Conformer(2): input linear + dropout, then two blocks. */
    @ParameterizedTest
    @ValueSource(floats = {0f, 0.2f})
    void conformer(float dropout) {
        ParameterStore ps = store(Map.of("modality_layers", 2));
        int p = 4;
        Conformer conf = new Conformer(Declarations.over(ps), "visual.conformer", p, 2,
                VavlModel.blockDims(GradCheck.tinyConfig(Map.of("modality_layers", 2))));
        Random r = new Random(9);
        Tensor x = be.fromHost(sequence(r, LENGTHS, T, p, 1.0, 40), B, T, p);
        float[] w = validWeights(r, LENGTHS, T, D);
        List<Param> sample = ps.select(List.of("visual.conformer.input.", "visual.conformer.blocks.0.attn.k.",
                "visual.conformer.blocks.0.attn.q.", "visual.conformer.blocks.0.conv.bn.",
                "visual.conformer.blocks.1.ff1.linear1.", "visual.conformer.blocks.1.attn.u_bias",
                "visual.conformer.blocks.1.attn.pos.", "visual.conformer.blocks.1.conv.depthwise.",
                "visual.conformer.blocks.1.norm."));
        assertEquals(2 + 4 + 2 + 2 + 1 + 1 + 1 + 2, sample.size());
        checkLayer("conformer", sample, x, w, c -> conf.forward(c, x, mask).out(),
                (c, dOut, dx) -> conf.backward(c, conf.forward(c, x, mask).saved(), dOut, mask, dx), dropout, 0f,
                true);
    }

    @ParameterizedTest
    @ValueSource(floats = {0f, 0.3f})
    void mlpHead(float headDropout) {
        ParameterStore ps = store(Map.of());
        MlpHead head = new MlpHead(Declarations.over(ps), "head.fusion", 2 * D, 6, 5, 3);
        Random r = new Random(10);
        Tensor x = randn(be, r, 1, 4, 2 * D);
        float[] w = randn(r, 4 * 3, 1);
        // ReLU has kinks: a finite difference across one is off by O(1) of that unit's share (random
        // biases left a pre-activation 0.04 from 0 here). fc1 biases of +3, −3, +3, ... keep them far from
        // 0 (half the units off, so the zero branch is covered too), and every evaluation asserts it.
        Tensor w1 = ps.param("head.fusion.fc1.weight").value, b1 = ps.param("head.fusion.fc1.bias").value;
        float[] bias = new float[b1.size()];
        for (int j = 0; j < bias.length; j++) bias[j] = j % 2 == 0 ? 3f : -3f;
        be.copy(be.fromHost(bias, b1.size()), b1);
        Function<ForwardContext, Tensor> fwd = c -> {
            Tensor pre = be.zeros(4, w1.dim(0));
            be.gemm(x, false, w1, true, pre, 1f, 0f);
            be.addBias(pre, b1);
            for (float v : h(pre)) assertTrue(Math.abs(v) >= 0.5f, "fc1 pre-activation " + v + " near the kink");
            return head.forward(c, x).out();
        };
        checkLayer("mlp", ps.select(List.of("head.fusion.")), x, w, fwd,
                (c, dOut, dx) -> head.backward(c, head.forward(c, x).saved(), dOut, dx), 0f, headDropout,
                false);
    }
}
