package dev.vavl4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The OpenBLAS attention ({@link CpuAttentionGemm}) against the per-pair reference
 * ({@link CpuAttention#referenceForward}, {@link CpuAttention#referenceBackward}): probs and ctx forward; dq,
 * dk, dv, dpos, du and dvb backward (both backward passes read the reference's probs), each within a relative
 * 1e-5 of the reference's largest entry, with exact zeros where the reference has them (masked keys). T 1,
 * 7 and 33 with lengths from 1 to T, 1 to 4 heads, head width 8 and 64, without and with dropout (same
 * mask). Outputs start as NaN (or, for du and dvb, which are added to, as the same random values), so an
 * entry left unwritten or accumulated into by mistake shows. Skipped where libopenblas.so.0 is absent.
 */
class CpuAttentionGemmTest {
    private static final double TOLERANCE = 1e-5;
    /** Worst relative difference per tensor over all cases, reported at the end. */
    private static final Map<String, Double> WORST = new TreeMap<>();

    @BeforeAll
    static void needsOpenBlas() {
        assumeTrue(OpenBlas.get() != null, "OpenBLAS not present: " + OpenBlas.describe());
    }

    @AfterAll
    static void report() {
        if (!WORST.isEmpty()) System.out.println("CpuAttentionGemmTest worst max|diff|/max|ref|: " + WORST);
    }

    static Stream<Arguments> shapes() {
        List<Arguments> cases = new ArrayList<>();
        Map<Integer, int[]> lengths = Map.of(1, new int[] {1}, 7, new int[] {7, 1, 4}, 33, new int[] {20, 33, 1, 32});
        for (int T : new int[] {1, 7, 33}) {
            for (int H : new int[] {1, 2, 4}) {
                for (int dh : new int[] {8, 64}) {
                    for (float p : new float[] {0f, 0.3f}) cases.add(Arguments.of(T, H, dh, p, lengths.get(T)));
                }
            }
        }
        return cases.stream();
    }

    private static float[] random(Random r, int n, double sd) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian() * sd);
        return x;
    }

    private static float[] nans(int n) {
        float[] x = new float[n];
        Arrays.fill(x, Float.NaN);
        return x;
    }

    private static void assertClose(String what, String caseName, float[] ref, float[] got) {
        assertEquals(ref.length, got.length, what);
        double maxRef = 0, maxDiff = 0;
        for (int i = 0; i < ref.length; i++) {
            assertTrue(Float.isFinite(got[i]), () -> caseName + " " + what + ": not finite (unwritten?)");
            if (ref[i] == 0f) {
                int at = i;
                assertEquals(0f, got[i], 0f, () -> caseName + " " + what + "[" + at + "]: reference is exactly 0");
            }
            maxRef = Math.max(maxRef, Math.abs(ref[i]));
            maxDiff = Math.max(maxDiff, Math.abs((double) got[i] - ref[i]));
        }
        double rel = maxRef == 0 ? maxDiff : maxDiff / maxRef;
        synchronized (WORST) {
            WORST.merge(what, rel, Math::max);
        }
        assertTrue(rel <= TOLERANCE, String.format("%s %s: max|diff| %.3g, max|ref| %.3g, relative %.3g", caseName,
                what, maxDiff, maxRef, rel));
    }

    @ParameterizedTest(name = "T={0} H={1} dh={2} p={3}")
    @MethodSource("shapes")
    void gemmMatchesReference(int T, int H, int dh, float p, int[] lengths) {
        OpenBlas blas = OpenBlas.get();
        String name = String.format("T=%d H=%d dh=%d p=%s", T, H, dh, p);
        int B = lengths.length, d = H * dh;
        CpuMask mask = new CpuMask(lengths, T);
        Random r = new Random(31L * T + 7L * H + dh + (p > 0 ? 1000 : 0));
        float[] q = random(r, B * T * d, 1), k = random(r, B * T * d, 1), v = random(r, B * T * d, 1);
        float[] pos = random(r, (2 * T - 1) * d, 1), u = random(r, d, 0.5), vb = random(r, d, 0.5);
        float[] dctx = random(r, B * T * d, 1);
        long seed = 0x5EED_0000L + T;

        float[] probsRef = nans(B * H * T * T), ctxRef = nans(B * T * d);
        float[] probs = nans(B * H * T * T), ctx = nans(B * T * d);
        CpuAttention.referenceForward(q, k, v, pos, u, vb, H, mask, p, seed, probsRef, ctxRef);
        CpuAttentionGemm.forward(blas, q, k, v, pos, u, vb, H, mask, p, seed, probs, ctx);
        assertClose("probs", name, probsRef, probs);
        assertClose("ctx", name, ctxRef, ctx);

        float[] du0 = random(r, d, 1), dvb0 = random(r, d, 1);
        float[][] ref = {nans(B * T * d), nans(B * T * d), nans(B * T * d), nans((2 * T - 1) * d), du0.clone(),
            dvb0.clone()};
        float[][] got = {nans(B * T * d), nans(B * T * d), nans(B * T * d), nans((2 * T - 1) * d), du0.clone(),
            dvb0.clone()};
        CpuAttention.referenceBackward(dctx, q, k, v, pos, u, vb, H, mask, p, seed, probsRef, ref[0], ref[1], ref[2],
                ref[3], ref[4], ref[5]);
        CpuAttentionGemm.backward(blas, dctx, q, k, v, pos, u, vb, H, mask, p, seed, probsRef, got[0], got[1], got[2],
                got[3], got[4], got[5]);
        String[] names = {"dq", "dk", "dv", "dpos", "du", "dvb"};
        for (int t = 0; t < names.length; t++) assertClose(names[t], name, ref[t], got[t]);
    }
}
