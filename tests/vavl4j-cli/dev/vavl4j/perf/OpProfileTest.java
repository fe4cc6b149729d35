package dev.vavl4j.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.Tensor;
import dev.vavl4j.backend.cpu.CpuBackend;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The op profile counts calls per op, keys products by form and shape with their FLOPs, and stays transparent. */
class OpProfileTest {
    @Test
    void countsCallsAndProductFlopsAndForwardsResults() {
        OpProfile profile = new OpProfile();
        Backend be = profile.wrap(new CpuBackend());
        Tensor a = be.fromHost(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);   // [2, 3]
        Tensor b = be.fromHost(new float[] {1, 0, 0, 1, 1, 1}, 2, 3);   // [2, 3], used transposed
        Tensor c = be.zeros(2, 2);
        be.gemm(a, false, b, true, c, 1f, 0f);
        be.gemm(a, false, b, true, c, 1f, 1f);
        assertEquals(java.util.List.of(2f * 1, 2f * 6, 2f * 4, 2f * 15).toString(),
                java.util.Arrays.toString(box(be.toHost(c))), "results pass through the proxy");
        Map<String, OpProfile.Entry> byOp = profile.entries().stream().collect(Collectors.toMap(OpProfile.Entry::op, e -> e));
        OpProfile.Entry g = byOp.get("gemm NT 2x2x3");
        assertEquals(2, g.calls());
        assertEquals(2 * (2L * 2 * 2 * 3), g.flops());
        assertEquals(g.flops(), profile.gemmFlops());
        assertEquals(2, byOp.get("fromHost").calls());
        assertEquals(0, byOp.get("fromHost").flops());
        assertTrue(g.nanos() > 0);
        profile.reset();
        assertTrue(profile.entries().isEmpty());
    }

    @Test
    void validRowProductsCountEveryRowAsTheDenseModelDoes() {
        OpProfile profile = new OpProfile();
        Backend be = profile.wrap(new CpuBackend());
        Tensor x = be.zeros(2, 3, 4), w = be.zeros(5, 4), y = be.zeros(2, 3, 5);
        be.gemmValidRows(x, w, true, null, y, 0f, be.mask(new int[] {1, 3}, 3));
        OpProfile.Entry e = profile.entries().stream().filter(en -> en.op().startsWith("gemm")).findFirst().orElseThrow();
        assertEquals("gemm NT* 6x5x4", e.op());
        assertEquals(2L * 6 * 5 * 4, e.flops());
    }

    @Test
    void exceptionsOfTheBackendPassThroughUnwrapped() {
        Backend be = new OpProfile().wrap(new CpuBackend());
        Tensor a = be.zeros(2, 3), c = be.zeros(2, 2);
        assertThrows(IllegalArgumentException.class, () -> be.gemm(a, false, a, false, c, 1f, 0f));
    }

    private static Float[] box(float[] v) {
        Float[] out = new Float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i];
        return out;
    }
}
