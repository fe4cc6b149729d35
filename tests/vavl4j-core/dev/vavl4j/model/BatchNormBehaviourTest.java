package dev.vavl4j.model;

import static dev.vavl4j.testutil.Checks.assertBitEqual;
import static dev.vavl4j.testutil.Checks.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.SeqMask;
import dev.vavl4j.backend.Tensor;
import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.io.HostTensor;
import dev.vavl4j.layers.ConvModule;
import dev.vavl4j.layers.Declarations;
import dev.vavl4j.layers.ForwardContext;
import dev.vavl4j.layers.Param;
import dev.vavl4j.layers.ParamSource;
import dev.vavl4j.testutil.Checks;
import dev.vavl4j.testutil.RandomModels;
import dev.vavl4j.testutil.RandomModels.Pad;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Masked batch norm (spec §3): train mode normalises with, and folds into the running statistics, the
 * mean and biased variance of the valid frames only; eval mode uses the running statistics; the fusion
 * step runs the encoders in eval mode and leaves the statistics alone.
 */
class BatchNormBehaviourTest {
    private static final int B = 3, T = 6, D = 8, K = 5;
    private static final int[] LEN = {6, 3, 2};
    private static final float LN_EPS = 1e-5f, BN_EPS = 1e-5f, MOM = 0.1f;

    /** A ParamSource over a map, for one ConvModule with prefix "c". */
    private static final class MapSource implements ParamSource {
        final Map<String, Param> params = new HashMap<>();
        final Map<String, Tensor> buffers = new HashMap<>();

        @Override
        public Param param(String name) {
            Param p = params.get(name);
            if (p == null) throw new IllegalStateException(name);
            return p;
        }

        @Override
        public Tensor buffer(String name) {
            return buffers.get(name);
        }
    }

    private static float[] gauss(Random r, int n, double mean, double sd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (mean + sd * r.nextGaussian());
        return v;
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    @Test
    void convModuleBatchNormUsesValidFramesOnlyAndEvalUsesRunningStats() {
        Backend be = new CpuBackend();
        Random r = new Random(17);
        Map<String, float[]> w = new HashMap<>();
        w.put("c.norm.weight", gauss(r, D, 1, 0.1));
        w.put("c.norm.bias", gauss(r, D, 0, 0.1));
        w.put("c.pointwise1.weight", gauss(r, 2 * D * D, 0, 1 / Math.sqrt(D)));
        w.put("c.pointwise1.bias", gauss(r, 2 * D, 0, 0.3));
        w.put("c.depthwise.weight", gauss(r, D * K, 0, 0.5));
        w.put("c.bn.weight", gauss(r, D, 1, 0.1));
        w.put("c.bn.bias", gauss(r, D, 0, 0.1));
        w.put("c.pointwise2.weight", gauss(r, D * D, 0, 1 / Math.sqrt(D)));
        w.put("c.pointwise2.bias", gauss(r, D, 0, 0.1));
        float[] rm0 = gauss(r, D, 0, 0.2), rv0 = new float[D];
        for (int i = 0; i < D; i++) rv0[i] = (float) (0.5 + r.nextDouble());
        MapSource ps = new MapSource();
        w.forEach((n, v) -> {
            int[] shape = switch (n) {
                case "c.pointwise1.weight" -> new int[] {2 * D, D};
                case "c.pointwise1.bias" -> new int[] {2 * D};
                case "c.depthwise.weight" -> new int[] {D, K};
                case "c.pointwise2.weight" -> new int[] {D, D};
                default -> new int[] {D};
            };
            ps.params.put(n, new Param(n, be.fromHost(v, shape)));
        });
        ps.buffers.put("c.bn.running_mean", be.fromHost(rm0, D));
        ps.buffers.put("c.bn.running_var", be.fromHost(rv0, D));
        ConvModule conv = new ConvModule(Declarations.over(ps), "c", D, K);

        // input: valid frames ~N(0,1) + offset; padded frames large finite values (as the residual stream
        // of an encoder carries: FF biases make them non-zero)
        float[] x = new float[B * T * D];
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                for (int c = 0; c < D; c++) {
                    x[(b * T + t) * D + c] = (float) (t < LEN[b] ? 0.5 + r.nextGaussian() : 40 * r.nextGaussian() + 25);
                }
            }
        }
        SeqMask mask = be.mask(LEN, T);
        int n = mask.validFrames();
        assertEquals(11, n);

        // ---- hand computation in double: z (GLU output, zero at padded frames) and c (depthwise conv)
        double[][] c = new double[B * T][D];
        double[][] z = new double[B * T][D];
        float[] lw = w.get("c.norm.weight"), lb = w.get("c.norm.bias"), w1 = w.get("c.pointwise1.weight"),
                b1 = w.get("c.pointwise1.bias"), dw = w.get("c.depthwise.weight");
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < LEN[b]; t++) {
                int row = b * T + t;
                double mu = 0, var = 0;
                for (int k = 0; k < D; k++) mu += x[row * D + k];
                mu /= D;
                for (int k = 0; k < D; k++) var += Math.pow(x[row * D + k] - mu, 2);
                var /= D;
                double[] y = new double[D];
                for (int k = 0; k < D; k++) y[k] = (x[row * D + k] - mu) / Math.sqrt(var + LN_EPS) * lw[k] + lb[k];
                double[] g = new double[2 * D];
                for (int o = 0; o < 2 * D; o++) {
                    g[o] = b1[o];
                    for (int k = 0; k < D; k++) g[o] += y[k] * w1[o * D + k];
                }
                for (int k = 0; k < D; k++) z[row][k] = g[k] * sigmoid(g[D + k]);
            }
        }
        int half = (K - 1) / 2;
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                for (int ch = 0; ch < D; ch++) {
                    double s = 0;
                    for (int k = 0; k < K; k++) {
                        int src = t + k - half;
                        if (src >= 0 && src < T) s += dw[ch * K + k] * z[b * T + src][ch];
                    }
                    c[b * T + t][ch] = s;
                }
            }
        }
        double[] mean = new double[D], var = new double[D], meanAll = new double[D];
        for (int ch = 0; ch < D; ch++) {
            for (int b = 0; b < B; b++) {
                for (int t = 0; t < T; t++) {
                    if (t < LEN[b]) mean[ch] += c[b * T + t][ch] / n;
                    meanAll[ch] += c[b * T + t][ch] / (B * T);
                }
            }
            for (int b = 0; b < B; b++) {
                for (int t = 0; t < LEN[b]; t++) var[ch] += Math.pow(c[b * T + t][ch] - mean[ch], 2) / n;
            }
        }
        // the test is only meaningful if padded frames would change the statistics
        double gap = 0;
        for (int ch = 0; ch < D; ch++) gap = Math.max(gap, Math.abs(meanAll[ch] - mean[ch]));
        assertTrue(gap > 1e-2, "padded conv outputs should differ from the valid ones: " + gap);

        // ---- train forward
        ForwardContext train = new ForwardContext(be, true, 0f, 0f, LN_EPS, BN_EPS, MOM, 1);
        ConvModule.Result tr = conv.forward(train, be.fromHost(x, B, T, D), mask);
        float[] wantRm = new float[D], wantRv = new float[D], fMean = new float[D], fVar = new float[D];
        for (int ch = 0; ch < D; ch++) {
            fMean[ch] = (float) mean[ch];
            fVar[ch] = (float) var[ch];
            wantRm[ch] = (float) ((1 - MOM) * rm0[ch] + MOM * mean[ch]);
            wantRv[ch] = (float) ((1 - MOM) * rv0[ch] + MOM * var[ch] * n / (n - 1));
        }
        assertClose("batch mean", fMean, be.toHost(tr.saved().mean()), 1e-5, 1e-7);
        assertClose("batch biased var", fVar, be.toHost(tr.saved().var()), 1e-5, 0);
        float[] rm1 = be.toHost(ps.buffer("c.bn.running_mean")), rv1 = be.toHost(ps.buffer("c.bn.running_var"));
        assertClose("running mean", wantRm, rm1, 1e-5, 0);
        assertClose("running var (unbiased n/(n−1))", wantRv, rv1, 1e-5, 0);
        assertClose("train output at valid frames", handOut(w, c, mean, var), valid(be.toHost(tr.out())), 1e-5, 0);

        // ---- eval forward with the updated running statistics; they are not changed by it
        ForwardContext eval = new ForwardContext(be, false, 0f, 0f, LN_EPS, BN_EPS, MOM, 1);
        ConvModule.Result ev = conv.forward(eval, be.fromHost(x, B, T, D), mask);
        double[] rmD = new double[D], rvD = new double[D];
        for (int ch = 0; ch < D; ch++) {
            rmD[ch] = rm1[ch];
            rvD[ch] = rv1[ch];
        }
        float[] evalOut = valid(be.toHost(ev.out()));
        assertClose("eval output at valid frames", handOut(w, c, rmD, rvD), evalOut, 1e-5, 0);
        assertBitEqual("running mean after eval", rm1, be.toHost(ps.buffer("c.bn.running_mean")));
        assertBitEqual("running var after eval", rv1, be.toHost(ps.buffer("c.bn.running_var")));
        assertTrue(Checks.relL2(evalOut, valid(be.toHost(tr.out()))) > 1e-2, "eval and train outputs should differ");
    }

    /** pointwise2(swish(bn(c))) at the valid frames, in double. */
    private static float[] handOut(Map<String, float[]> w, double[][] c, double[] mean, double[] var) {
        float[] bw = w.get("c.bn.weight"), bb = w.get("c.bn.bias"), w2 = w.get("c.pointwise2.weight"),
                b2 = w.get("c.pointwise2.bias");
        float[] out = new float[Arrays.stream(LEN).sum() * D];
        int k = 0;
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < LEN[b]; t++) {
                double[] s = new double[D];
                for (int ch = 0; ch < D; ch++) {
                    double v = (c[b * T + t][ch] - mean[ch]) / Math.sqrt(var[ch] + BN_EPS) * bw[ch] + bb[ch];
                    s[ch] = v * sigmoid(v);
                }
                for (int o = 0; o < D; o++) {
                    double y = b2[o];
                    for (int ch = 0; ch < D; ch++) y += s[ch] * w2[o * D + ch];
                    out[k++] = (float) y;
                }
            }
        }
        return out;
    }

    private static float[] valid(float[] all) {
        float[] out = new float[Arrays.stream(LEN).sum() * D];
        int k = 0;
        for (int b = 0; b < B; b++) {
            System.arraycopy(all, b * T * D, out, k, LEN[b] * D);
            k += LEN[b] * D;
        }
        return out;
    }

    // ------------------------------------------------------------------ model level

    private static final VavlConfig CFG = RandomModels.smallConfig(Map.of("modality_layers", 1, "shared_layers", 1));

    /**
     * The same unimodal steps with and without a fusion step: batch "paired" has two samples with both
     * modalities, batch "unpaired" holds the same audio as samples 0–1 and the same visual as samples 2–3,
     * so the visual and audio steps see identical inputs and only the paired batch runs a fusion step.
     * Every encoder weight and every running statistic must come out bit-identical.
     */
    @Test
    void fusionStepLeavesEncodersAndRunningStatisticsUntouched() {
        Map<String, HostTensor> w = RandomModels.weights(CFG, 50);
        Batch p = RandomModels.batch(CFG, 51, 2, 5, 4, Pad.ZERO);
        int C = CFG.outputs();
        float[] labels = new float[4 * C];
        System.arraycopy(p.labels(), 0, labels, 0, 2 * C);
        System.arraycopy(p.labels(), 0, labels, 2 * C, 2 * C);
        Batch u = new Batch(stack(p.audio(), p.audio()), stack(p.visual(), p.visual()),
                new boolean[] {true, true, false, false}, new boolean[] {false, false, true, true}, labels, C);
        VavlModel mp = RandomModels.model(CFG, w), mu = RandomModels.model(CFG, w);
        TrainStep.Report rp = new TrainStep(mp).run(p, 4, false), ru = new TrainStep(mu).run(u, 4, false);
        assertNotNull(rp.fusion());
        assertNull(ru.fusion());
        Checks.assertSameSubStep("visual step", rp.visual(), ru.visual(), false);
        Checks.assertSameSubStep("audio step", rp.audio(), ru.audio(), false);
        Map<String, float[]> ap = Checks.snapshot(mp), au = Checks.snapshot(mu);
        int fusion = 0;
        for (String n : ap.keySet()) {
            if (n.startsWith("head.fusion.")) {
                assertTrue(Checks.differs(ap.get(n), au.get(n)), n + " trained by the fusion step");
                fusion++;
            } else {
                assertBitEqual(n + " (the fusion step must not touch it)", au.get(n), ap.get(n));
            }
        }
        assertEquals(6, fusion);
    }

    private static SequenceBatch stack(SequenceBatch a, SequenceBatch b) {
        float[] x = new float[a.x().length + b.x().length];
        System.arraycopy(a.x(), 0, x, 0, a.x().length);
        System.arraycopy(b.x(), 0, x, a.x().length, b.x().length);
        int[] len = new int[a.batch() + b.batch()];
        System.arraycopy(a.lengths(), 0, len, 0, a.batch());
        System.arraycopy(b.lengths(), 0, len, a.batch(), b.batch());
        return new SequenceBatch(x, len, a.time(), a.dim());
    }

    /**
     * With lr = 0 and no weight decay a training step changes only the running statistics. Eval output
     * then changes iff the running statistics did (bn_momentum 0.5 vs 0): eval reads them, and nothing
     * else of train mode leaks into it.
     */
    @Test
    void evalDependsOnRunningStatisticsOnly() {
        for (double momentum : new double[] {0.0, 0.5}) {
            VavlConfig cfg = CFG.with(Map.of("lr", 0.0, "weight_decay", 0.0, "bn_momentum", momentum));
            Map<String, HostTensor> w = RandomModels.weights(cfg, 60);
            VavlModel m = RandomModels.model(cfg, w);
            Batch evalBatch = RandomModels.batch(cfg, 61, 3, 5, 6, Pad.GARBAGE);
            Batch trainBatch = RandomModels.batch(cfg, 62, 4, 7, 3, Pad.GARBAGE);
            Inference.Result before = Inference.run(m, evalBatch);
            Inference.run(m, trainBatch); // eval on another batch changes nothing
            assertBitEqual("eval is stateless", before.audio().pred(), Inference.run(m, evalBatch).audio().pred());
            new TrainStep(m).run(trainBatch, 1, false);
            Map<String, float[]> after = Checks.snapshot(m);
            Inference.Result now = Inference.run(m, evalBatch);
            after.forEach((n, v) -> {
                boolean stat = n.contains("running_");
                if (!stat || momentum == 0) assertBitEqual(n + " (momentum " + momentum + ")", w.get(n).asFloats(), v);
                else assertTrue(Checks.differs(w.get(n).asFloats(), v), n + " should have moved");
            });
            if (momentum == 0) {
                assertBitEqual("eval audio pred", before.audio().pred(), now.audio().pred());
                assertBitEqual("eval visual repr", before.visual().representation(), now.visual().representation());
                assertBitEqual("eval fusion pred", before.fusion().pred(), now.fusion().pred());
            } else {
                assertTrue(Checks.relL2(before.audio().representation(), now.audio().representation()) > 1e-3);
                assertTrue(Checks.relL2(before.visual().representation(), now.visual().representation()) > 1e-3);
            }
        }
    }

    /** The smallest step (2 samples of one frame: n = 2, n − 1 = 1) is finite and unbiases by n/(n−1) = 2. */
    @Test
    void twoOneFrameSamplesGiveFiniteStepAndFiniteRunningStats() {
        VavlConfig cfg = CFG.with(Map.of("bn_momentum", 1.0)); // running stats ← this batch's (unbiased) stats
        VavlModel m = RandomModels.model(cfg, RandomModels.weights(cfg, 90));
        Batch b = RandomModels.batch(cfg, 91, 4, new int[] {1, 1}, new boolean[] {true, true}, 3, new int[] {1, 3},
                new boolean[] {true, true}, Pad.GARBAGE);
        TrainStep.Report r = new TrainStep(m).run(b, 2, true);
        assertNotNull(r.audio());
        Checks.assertFinite("audio pred", r.audio().pred());
        r.audio().grads().forEach((n, g) -> Checks.assertFinite(n, g));
        Map<String, float[]> after = Checks.snapshot(m);
        after.forEach((n, v) -> Checks.assertFinite(n, v));
        // audio encoder block: 2 valid frames; with momentum 1 the running variance is 2 × the biased one,
        // which for two values is ((a − b)/2)² · 2 = (a − b)²/2 > 0
        for (float v : after.get("audio.conformer.blocks.0.conv.bn.running_var")) assertTrue(v > 0, "running var " + v);
    }
}
