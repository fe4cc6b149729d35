package dev.vavl4j.testutil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vavl4j.io.HostTensor;
import dev.vavl4j.model.TrainStep;
import dev.vavl4j.model.VavlModel;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Numeric comparisons for behaviour tests. */
public final class Checks {
    private Checks() {}

    public static double norm(float[] v) {
        double s = 0;
        for (float x : v) s += (double) x * x;
        return Math.sqrt(s);
    }

    /** ‖a − e‖ (NaN if any element of either is NaN). */
    public static double diffNorm(float[] e, float[] a) {
        if (e.length != a.length) throw new AssertionError("lengths " + e.length + " != " + a.length);
        double s = 0;
        for (int i = 0; i < e.length; i++) {
            double d = (double) a[i] - e[i];
            s += d * d;
        }
        return Math.sqrt(s);
    }

    public static double relL2(float[] e, float[] a) {
        return diffNorm(e, a) / Math.max(norm(e), 1e-30);
    }

    public static void assertFinite(String what, float[] v) {
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) fail(what + ": element " + i + " is " + v[i]);
        }
    }

    /** Bit-identical (and finite, so NaN == NaN cannot hide a failure). */
    public static void assertBitEqual(String what, float[] e, float[] a) {
        assertFinite(what + " (expected)", e);
        assertFinite(what + " (actual)", a);
        assertEquals(e.length, a.length, what + ": length");
        for (int i = 0; i < e.length; i++) {
            if (Float.floatToRawIntBits(e[i]) != Float.floatToRawIntBits(a[i])) {
                fail(what + ": element " + i + " differs: " + e[i] + " vs " + a[i]);
            }
        }
    }

    /** ‖a − e‖ ≤ rel·‖e‖ + abs, both finite. */
    public static void assertClose(String what, float[] e, float[] a, double rel, double abs) {
        assertFinite(what + " (actual)", a);
        double d = diffNorm(e, a), n = norm(e);
        assertTrue(d <= rel * n + abs, () -> String.format("%s: ‖a−e‖ = %.3g > %.1g·‖e‖ (%.3g) + %.1g", what, d, rel, n, abs));
    }

    /** Every parameter and buffer of the model as host arrays. */
    public static Map<String, float[]> snapshot(VavlModel model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        model.store().toHost().forEach((k, t) -> out.put(k, t.asFloats()));
        return out;
    }

    public static Map<String, float[]> floats(Map<String, HostTensor> w) {
        Map<String, float[]> out = new LinkedHashMap<>();
        w.forEach((k, t) -> out.put(k, t.asFloats().clone()));
        return out;
    }

    public static void assertBitEqual(String what, Map<String, float[]> e, Map<String, float[]> a) {
        assertEquals(e.keySet(), a.keySet(), what + ": names");
        e.forEach((k, v) -> assertBitEqual(what + " " + k, v, a.get(k)));
    }

    /** Two sub-steps computed the same bits (or are both skipped). */
    public static void assertSameSubStep(String what, TrainStep.SubStep e, TrainStep.SubStep a) {
        assertSameSubStep(what, e, a, true);
    }

    /** As above; {@code sameRows} false when the batches place the samples at different indices. */
    public static void assertSameSubStep(String what, TrainStep.SubStep e, TrainStep.SubStep a, boolean sameRows) {
        if (e == null || a == null) {
            assertEquals(e == null, a == null, what + ": one skipped, the other not");
            return;
        }
        if (sameRows) assertTrue(Arrays.equals(e.rows(), a.rows()), what + ": rows");
        assertEquals(e.rows().length, a.rows().length, what + ": number of rows");
        assertBitEqual(what + " pred", e.pred(), a.pred());
        if (e.recon() != null) assertBitEqual(what + " recon", e.recon(), a.recon());
        assertEquals(Double.doubleToLongBits(e.loss()), Double.doubleToLongBits(a.loss()), what + " loss " + e.loss() + " vs " + a.loss());
        assertEquals(Double.doubleToLongBits(e.reconLoss()), Double.doubleToLongBits(a.reconLoss()), what + " recon loss");
        assertBitEqual(what + " grads", e.grads(), a.grads());
    }

    public static boolean differs(float[] e, float[] a) {
        return !Arrays.equals(e, a);
    }
}
