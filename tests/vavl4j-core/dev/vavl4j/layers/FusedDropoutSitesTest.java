package dev.vavl4j.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.DropoutHash;
import dev.vavl4j.backend.Tensor;
import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.model.ParameterStore;
import dev.vavl4j.model.VavlConfig;
import dev.vavl4j.testutil.GradCheck;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The feed-forward module and the MLP head apply their hidden dropout inside a fused op; they must draw
 * the same seeds, in the same order, as when dropout was a separate site (so every later site, and every
 * saved run, sees the same masks): one seed per site with p &gt; 0, none with p = 0. The head's output is
 * also compared bit for bit with the unfused passes.
 */
class FusedDropoutSitesTest {
    private static final long SEED = 0xD5EEDL;
    private final Backend be = new CpuBackend();
    private final VavlConfig cfg = GradCheck.tinyConfig(Map.of());
    private final ParameterStore ps = GradCheck.randomStore(be, cfg, 78);

    private ForwardContext ctx(float dropout, float headDropout) {
        return new ForwardContext(be, true, dropout, headDropout, 1e-5f, 1e-5f, 0.1f, SEED);
    }

    @ParameterizedTest
    @ValueSource(floats = {0f, 0.2f})
    void feedForwardDrawsOneSeedPerDropoutSite(float p) {
        FeedForward ff = new FeedForward(Declarations.over(ps), "audio.conformer.blocks.0.ff1", cfg.modelDim(),
                cfg.ffExpansion() * cfg.modelDim());
        int d = ps.param("audio.conformer.blocks.0.ff1.norm.weight").value.size();
        ForwardContext c = ctx(p, 0f);
        FeedForward.Saved s = ff.forward(c, GradCheck.randn(be, new Random(1), 1, 3, 5, d), null);
        int sites = p > 0f ? 2 : 0;
        assertEquals(p > 0f ? DropoutHash.derive(SEED, 0) : 0L, s.actSeed(), "hidden dropout seed");
        assertEquals(p > 0f ? DropoutHash.derive(SEED, 1) : 0L, s.outSeed(), "output dropout seed");
        assertEquals(DropoutHash.derive(SEED, sites), c.nextSeed(), "seeds drawn");
    }

    @ParameterizedTest
    @ValueSource(floats = {0f, 0.3f})
    void mlpHeadMatchesTheUnfusedPassesBitForBit(float p) {
        String prefix = "head.fusion";
        MlpHead head = new MlpHead(Declarations.over(ps), prefix, 2 * cfg.modelDim(), cfg.headHidden1(), cfg.headHidden2(),
                cfg.outputs());
        Tensor fc1w = ps.param(prefix + ".fc1.weight").value;
        Tensor r = GradCheck.randn(be, new Random(2), 1, 5, fc1w.dim(1));
        ForwardContext c = ctx(0f, p);
        MlpHead.Result res = head.forward(c, r);
        assertEquals(p > 0f ? DropoutHash.derive(SEED, 0) : 0L, res.saved().seed(), "head dropout seed");
        assertEquals(DropoutHash.derive(SEED, p > 0f ? 1 : 0), c.nextSeed(), "seeds drawn");

        // fc1 with its bias, ReLU, dropout with the site's seed, fc2, out: the passes before fusion
        Tensor h1 = linear(prefix + ".fc1", r);
        float[] relu = be.toHost(h1);
        for (int i = 0; i < relu.length; i++) relu[i] = Math.max(0f, relu[i]);
        Tensor h1d = be.zeros(h1.shape());
        be.dropout(be.fromHost(relu, h1.shape()), p, DropoutHash.derive(SEED, 0), h1d);
        Tensor expected = linear(prefix + ".out", linear(prefix + ".fc2", h1d));
        assertArrayEquals(be.toHost(h1d), be.toHost(res.saved().h1d()), "dropped hidden activation");
        assertArrayEquals(be.toHost(expected), be.toHost(res.out()), "head output");
    }

    private Tensor linear(String prefix, Tensor x) {
        Tensor w = ps.param(prefix + ".weight").value;
        Tensor y = be.zeros(x.dim(0), w.dim(0));
        be.gemm(x, false, w, true, y, 1f, 0f);
        be.addBias(y, ps.param(prefix + ".bias").value);
        return y;
    }
}
