package dev.vavl4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vavl4j.backend.AdamHyper;
import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.Tensor;
import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.io.HostTensor;
import dev.vavl4j.layers.Param;
import dev.vavl4j.testutil.Checks;
import dev.vavl4j.testutil.RandomModels;
import dev.vavl4j.testutil.RandomModels.Pad;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Spec §6: Adam with L2 weight decay in the gradient and a per-parameter update count t. */
class AdamBehaviourTest {
    private static final double LR = 1e-3, WD = 1e-2;
    private static final VavlConfig CFG = RandomModels.smallConfig(Map.of("lr", LR, "weight_decay", WD,
            "beta1", 0.9, "beta2", 0.99, "modality_layers", 1, "shared_layers", 1));

    /** Weights whose attention key biases are all clearly away from 0 (|θ| in [0.2, 0.5]). */
    private static Map<String, HostTensor> weights() {
        Map<String, HostTensor> w = RandomModels.weights(CFG, 31);
        Random rnd = new Random(2);
        w.forEach((n, t) -> {
            if (n.endsWith("attn.k.bias")) {
                float[] v = t.asFloats();
                for (int i = 0; i < v.length; i++) v[i] = (float) ((rnd.nextBoolean() ? 1 : -1) * (0.2 + 0.3 * rnd.nextDouble()));
            }
        });
        return w;
    }

    private static Batch batch() {
        return RandomModels.batch(CFG, 40, 4, 6, 5, Pad.ZERO);
    }

    private static Map<String, Integer> steps(VavlModel m) {
        Map<String, Integer> out = new java.util.LinkedHashMap<>();
        for (Param p : m.store().params().values()) out.put(p.name, p.steps());
        return out;
    }

    private static int expectedSteps(String name) {
        return name.startsWith("shared.") ? 2 : 1;
    }

    @Test
    void updateCountsPerParameter() {
        VavlModel m = RandomModels.model(CFG, weights());
        TrainStep ts = new TrainStep(m);
        ts.run(batch(), 1, false);
        steps(m).forEach((n, t) -> assertEquals(expectedSteps(n), t, n));
        ts.run(batch(), 2, false);
        steps(m).forEach((n, t) -> assertEquals(2 * expectedSteps(n), t, n));
    }

    @Test
    void weightDecayAloneMovesKeyBiasByLrTimesSign() {
        Map<String, HostTensor> w = weights();
        VavlModel m = RandomModels.model(CFG, w);
        TrainStep.Report r = new TrainStep(m).run(batch(), 1, true);
        Map<String, float[]> after = Checks.snapshot(m);
        for (String n : List.of("visual.conformer.blocks.0.attn.k.bias", "audio.conformer.blocks.0.attn.k.bias",
                "shared.conformer.blocks.0.attn.k.bias")) {
            String mod = n.substring(0, n.indexOf('.'));
            for (TrainStep.SubStep s : mod.equals("shared") ? List.of(r.visual(), r.audio())
                    : List.of(mod.equals("visual") ? r.visual() : r.audio())) {
                float[] g = s.grads().get(n);
                assertNotNull(g, n);
                for (float x : g) assertTrue(Math.abs(x) <= 1e-6, n + ": key-bias gradient " + x + " should be 0");
            }
            float[] before = w.get(n).asFloats(), now = after.get(n);
            int updates = expectedSteps(n); // shared: two updates, each ≈ lr·sign(θ) thanks to t = 1, 2
            for (int i = 0; i < before.length; i++) {
                double delta = (double) now[i] - before[i];
                double want = -updates * LR * Math.signum(before[i]);
                assertEquals(want, delta, 2e-3 * LR, n + "[" + i + "]: θ " + before[i] + " moved by " + delta);
            }
        }
    }

    /** One Adam update in double from float inputs; returns {θ, m, v}. */
    private static double[][] adam(float[] theta, float[] g, double[] m0, double[] v0, int t, double lr, double b1,
                                   double b2, double eps, double wd) {
        int n = theta.length;
        double[] th = new double[n], m = new double[n], v = new double[n];
        for (int i = 0; i < n; i++) {
            double gi = g[i] + wd * theta[i];
            m[i] = b1 * m0[i] + (1 - b1) * gi;
            v[i] = b2 * v0[i] + (1 - b2) * gi * gi;
            double mh = m[i] / (1 - Math.pow(b1, t)), vh = v[i] / (1 - Math.pow(b2, t));
            th[i] = theta[i] - lr * mh / (Math.sqrt(vh) + eps);
        }
        return new double[][] {th, m, v};
    }

    private static void assertNear(String what, double[] want, float[] got, double absFloor) {
        for (int i = 0; i < want.length; i++) {
            double tol = 2 * Math.ulp((float) want[i]) + absFloor;
            if (!(Math.abs(got[i] - want[i]) <= tol)) {
                fail(what + "[" + i + "]: " + got[i] + " vs hand " + want[i] + " (tolerance " + tol + ")");
            }
        }
    }

    private static float[] floats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    @Test
    void backendAdamMatchesHandComputationWithPerTensorStepCounts() {
        Backend be = new CpuBackend();
        Random rnd = new Random(9);
        AdamHyper h = new AdamHyper(3e-3, 0.9, 0.99, 1e-8, 0.1);
        int[] sizes = {37, 5000}; // the second crosses the parallel chunk grain
        int[] ts = {1, 4};
        List<Tensor> th = new java.util.ArrayList<>(), gr = new java.util.ArrayList<>(), ms = new java.util.ArrayList<>(),
                vs = new java.util.ArrayList<>();
        float[][] th0 = new float[2][], g0 = new float[2][], m0 = new float[2][], v0 = new float[2][];
        for (int k = 0; k < 2; k++) {
            int n = sizes[k];
            th0[k] = new float[n];
            g0[k] = new float[n];
            m0[k] = new float[n];
            v0[k] = new float[n];
            for (int i = 0; i < n; i++) {
                th0[k][i] = (float) rnd.nextGaussian();
                g0[k][i] = (float) (rnd.nextGaussian() * Math.pow(10, -rnd.nextInt(6)));
                m0[k][i] = ts[k] == 1 ? 0 : (float) (0.1 * rnd.nextGaussian());
                v0[k][i] = ts[k] == 1 ? 0 : (float) (0.01 * rnd.nextDouble());
            }
            th.add(be.fromHost(th0[k], n));
            gr.add(be.fromHost(g0[k], n));
            ms.add(be.fromHost(m0[k], n));
            vs.add(be.fromHost(v0[k], n));
        }
        be.adam(th, gr, ms, vs, ts, h);
        for (int k = 0; k < 2; k++) {
            double[] md = new double[sizes[k]], vd = new double[sizes[k]];
            for (int i = 0; i < sizes[k]; i++) {
                md[i] = m0[k][i];
                vd[i] = v0[k][i];
            }
            double[][] want = adam(th0[k], g0[k], md, vd, ts[k], h.lr(), h.beta1(), h.beta2(), h.eps(), h.weightDecay());
            assertNear("θ (t=" + ts[k] + ")", want[0], be.toHost(th.get(k)), 0);
            assertNear("m (t=" + ts[k] + ")", want[1], be.toHost(ms.get(k)), 0);
            assertNear("v (t=" + ts[k] + ")", want[2], be.toHost(vs.get(k)), 0);
            assertTrue(Checks.differs(th0[k], be.toHost(th.get(k))));
        }
    }

    @Test
    void modelUpdatesMatchHandAdamFromReportedGradients() {
        Map<String, HostTensor> w = weights();
        VavlModel m = RandomModels.model(CFG, w);
        TrainStep.Report r = new TrainStep(m).run(batch(), 1, true);
        Map<String, float[]> after = Checks.snapshot(m);
        double b1 = CFG.beta1(), b2 = CFG.beta2(), eps = CFG.adamEps();
        // one update: t = 1
        for (var e : Map.of("visual.proj.weight", r.visual(), "audio.conformer.blocks.0.conv.depthwise.weight", r.audio(),
                "recon.visual.out.bias", r.visual(), "head.fusion.out.weight", r.fusion(), "head.fusion.fc1.bias", r.fusion())
                .entrySet()) {
            float[] th = w.get(e.getKey()).asFloats();
            double[] zero = new double[th.length];
            double[][] want = adam(th, e.getValue().grads().get(e.getKey()), zero, zero, 1, LR, b1, b2, eps, WD);
            assertNear(e.getKey(), want[0], after.get(e.getKey()), 1e-6 * LR);
        }
        // shared weights: the visual step's update (t = 1), then the audio step's (t = 2) from the moments left
        for (String n : List.of("shared.conformer.input.weight", "shared.conformer.blocks.0.attn.pos.weight",
                "shared.conformer.blocks.0.conv.bn.bias", "shared.norm.weight")) {
            float[] th = w.get(n).asFloats();
            double[] zero = new double[th.length];
            double[][] s1 = adam(th, r.visual().grads().get(n), zero, zero, 1, LR, b1, b2, eps, WD);
            double[][] s2 = adam(floats(s1[0]), r.audio().grads().get(n), s1[1], s1[2], 2, LR, b1, b2, eps, WD);
            assertNear(n + " after two updates", s2[0], after.get(n), 1e-5 * LR);
            // the audio-step gradient was taken at the visual-updated weights: it differs from the visual one
            assertTrue(Checks.differs(r.visual().grads().get(n), r.audio().grads().get(n)), n);
        }
    }
}
