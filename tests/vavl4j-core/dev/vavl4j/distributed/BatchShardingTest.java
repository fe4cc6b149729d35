package dev.vavl4j.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.distributed.BatchSharding.Plan;
import dev.vavl4j.distributed.BatchSharding.Shard;
import dev.vavl4j.distributed.BatchSharding.SubStep;
import dev.vavl4j.layers.Linear;
import dev.vavl4j.layers.Param;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * N simulated ranks, each with its shard of a batch, through a Linear layer on the CPU backend with a loss
 * that is a mean over the sub-step's eligible rows: the gradients weighted by each shard's share and summed
 * equal the one-process gradient (bit for bit when every value is exactly representable, to float32 rounding
 * otherwise).
 */
class BatchShardingTest {
    static Backend be;
    static final int IN = 5, OUT = 3;

    @BeforeAll
    static void open() {
        be = new CpuBackend(2);
    }

    @AfterAll
    static void close() {
        be.close();
    }

    @Test
    void blocksCoverEveryRowOnceWithSizesWithinOne() {
        for (int b = 0; b <= 40; b++) {
            for (int w = 1; w <= 9; w++) {
                int[][] blocks = BatchSharding.blocks(b, w);
                int next = 0, min = Integer.MAX_VALUE, max = 0;
                for (int[] block : blocks) {
                    for (int i : block) assertEquals(next++, i);
                    min = Math.min(min, block.length);
                    max = Math.max(max, block.length);
                }
                assertEquals(b, next);
                assertTrue(max - min <= 1);
            }
        }
    }

    @Test
    void theSkipRuleIsGlobalAndWeightsSumToOne() {
        // one row with both modalities in a batch of 4 over 4 ranks: fusion is skipped everywhere
        boolean[] a = {true, true, false, false}, v = {true, false, true, true};
        Plan p = BatchSharding.plan(a, v, 4);
        assertFalse(p.runs(SubStep.FUSION));
        assertTrue(p.runs(SubStep.VISUAL) && p.runs(SubStep.AUDIO));
        for (Shard s : p.shards()) assertEquals(0, s.weight(SubStep.FUSION));
        assertEquals(0, p.shards().get(1).weight(SubStep.VISUAL), "rank 1 has no visual row: weight 0, still joins");
        double sum = p.shards().stream().mapToDouble(s -> s.weight(SubStep.VISUAL)).sum();
        assertEquals(1.0, sum, 1e-15);
        assertEquals(3, p.eligible(SubStep.VISUAL));
    }

    @Test
    void shardedGradientsEqualOneProcessExactly() {
        // 12 rows over 3 ranks (4 each); fusion-eligible rows per shard 4, 2, 2 (8 in all): weights 1/2, 1/4, 1/4,
        // and small integer data, so every product and sum is exact in float32 whatever the order
        boolean[] a = new boolean[12], v = new boolean[12];
        int[] eligibleRows = {0, 1, 2, 3, 4, 6, 9, 11};
        for (int i = 0; i < 12; i++) a[i] = true;
        for (int i : eligibleRows) v[i] = true;
        SplittableRandom rnd = new SplittableRandom(3);
        float[] x = ints(rnd, 12 * IN), t = ints(rnd, 12 * OUT), w = ints(rnd, OUT * IN), bias = ints(rnd, OUT);
        Plan plan = BatchSharding.plan(a, v, 3);
        assertArrayEquals(new double[] {0.5, 0.25, 0.25}, plan.shards().stream().mapToDouble(s -> s.weight(SubStep.FUSION)).toArray());
        float[][] full = meanLossGradients(x, t, w, bias, rowsOf(v, allRows(12)));
        float[][] combined = combined(x, t, w, bias, v, plan, SubStep.FUSION);
        assertArrayEquals(full[0], combined[0], "weight gradient, bit for bit");
        assertArrayEquals(full[1], combined[1], "bias gradient, bit for bit");
    }

    @Test
    void shardedGradientsEqualOneProcessToRoundingForRandomBatches() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int trial = 0; trial < 20; trial++) {
            int b = 2 + rnd.nextInt(30), world = 1 + rnd.nextInt(6);
            boolean[] a = new boolean[b], v = new boolean[b];
            for (int i = 0; i < b; i++) {
                a[i] = rnd.nextInt(5) > 0;
                v[i] = !a[i] || rnd.nextInt(5) > 0;
            }
            float[] x = gauss(rnd, b * IN), t = gauss(rnd, b * OUT), w = gauss(rnd, OUT * IN), bias = gauss(rnd, OUT);
            Plan plan = BatchSharding.plan(a, v, world);
            for (SubStep s : SubStep.values()) {
                if (!plan.runs(s)) continue;
                boolean[] eligible = new boolean[b];
                for (int i = 0; i < b; i++) eligible[i] = BatchSharding.eligible(s, a[i], v[i]);
                float[][] full = meanLossGradients(x, t, w, bias, rowsOf(eligible, allRows(b)));
                float[][] combined = combined(x, t, w, bias, eligible, plan, s);
                for (int k = 0; k < 2; k++) {
                    for (int i = 0; i < full[k].length; i++) {
                        assertEquals(full[k][i], combined[k][i], 2e-6 * (1 + Math.abs(full[k][i])), "trial " + trial + " " + s + " world " + world);
                    }
                }
            }
        }
    }

    /** Each rank: the gradient of the mean loss over its own eligible rows; then Σ weight·gradient. */
    private static float[][] combined(float[] x, float[] t, float[] w, float[] bias, boolean[] eligible, Plan plan, SubStep s) {
        List<float[]> gw = new ArrayList<>(), gb = new ArrayList<>();
        double[] weights = new double[plan.shards().size()];
        for (Shard sh : plan.shards()) {
            int[] rows = rowsOf(eligible, sh.rows());
            assertEquals(sh.eligible(s), rows.length);
            float[][] g = rows.length == 0 ? new float[][] {new float[w.length], new float[bias.length]} : meanLossGradients(x, t, w, bias, rows);
            gw.add(g[0]);
            gb.add(g[1]);
            weights[sh.rank()] = sh.weight(s);
        }
        return new float[][] {BatchSharding.combine(gw, weights), BatchSharding.combine(gb, weights)};
    }

    /** dW and db of L = (1/n)·Σ_rows ½‖x_r·Wᵀ + b − t_r‖² through {@link Linear} on the CPU backend. */
    private static float[][] meanLossGradients(float[] x, float[] t, float[] w, float[] bias, int[] rows) {
        int n = rows.length;
        float[] xs = new float[n * IN], ts = new float[n * OUT];
        for (int i = 0; i < n; i++) {
            System.arraycopy(x, rows[i] * IN, xs, i * IN, IN);
            System.arraycopy(t, rows[i] * OUT, ts, i * OUT, OUT);
        }
        Param pw = new Param("w", be.fromHost(w.clone(), OUT, IN)), pb = new Param("b", be.fromHost(bias.clone(), OUT));
        Linear lin = new Linear(pw, pb);
        try (var ws = be.openWorkspace()) {
            var xt = be.fromHost(xs, n, IN);
            float[] y = be.toHost(lin.forward(be, xt));
            float[] dy = new float[n * OUT];
            for (int i = 0; i < dy.length; i++) dy[i] = (y[i] - ts[i]) / n;
            lin.backward(be, xt, be.fromHost(dy, n, OUT), null);
        }
        return new float[][] {be.toHost(pw.grad(be)), be.toHost(pb.grad(be))};
    }

    private static int[] allRows(int b) {
        return java.util.stream.IntStream.range(0, b).toArray();
    }

    private static int[] rowsOf(boolean[] eligible, int[] rows) {
        return java.util.Arrays.stream(rows).filter(i -> eligible[i]).toArray();
    }

    private static float[] ints(SplittableRandom rnd, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = rnd.nextInt(5) - 2;
        return f;
    }

    private static float[] gauss(SplittableRandom rnd, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) (rnd.nextDouble() * 2 - 1);
        return f;
    }
}
