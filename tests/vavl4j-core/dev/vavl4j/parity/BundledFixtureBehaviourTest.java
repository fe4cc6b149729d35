package dev.vavl4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.io.HostTensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The shipped float64 PyTorch fixtures pass on the CPU backend, and the checker does reject bad output. */
class BundledFixtureBehaviourTest {
    private static final Map<String, Fixture> FIXTURES = new ConcurrentHashMap<>();
    private static final Map<String, Map<String, HostTensor>> ACTUAL = new ConcurrentHashMap<>();

    private static Fixture fixture(String name) {
        return FIXTURES.computeIfAbsent(name, Fixture::bundled);
    }

    private static Map<String, HostTensor> actual(String name) {
        return ACTUAL.computeIfAbsent(name, n -> ParityRunner.run(fixture(n), new CpuBackend()));
    }

    private static Map<String, HostTensor> copy(Map<String, HostTensor> m) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        m.forEach((k, t) -> out.put(k, HostTensor.ofFloats(t.asFloats().clone(), t.shape())));
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-classification", "tiny-regression"})
    void bundledFixturePassesOnCpu(String name) {
        Fixture fx = fixture(name);
        assertNotNull(fx.expected(), "bundled fixture has expected values");
        Map<String, HostTensor> act = actual(name);
        ParityCheck.Result r = ParityCheck.compare(fx.expected(), act, fx.config().lr());
        assertTrue(r.passed(), () -> name + " failures: " + r.failures());
        // Everything the fixture pins down was checked: outputs, every step, gradients and after-values.
        for (String prefix : List.of("eval.", "step.visual.", "step.audio.", "step.fusion.", "after.")) {
            assertTrue(fx.expected().keySet().stream().anyMatch(k -> k.startsWith(prefix)), name + " has " + prefix + "*");
        }
        for (String kind : List.of("value", "grad", "update")) {
            assertTrue(r.worst().containsKey(kind), name + ": checked " + kind);
            assertTrue(r.worst().get(kind).error() < 0.1 * limit(kind), () -> name + " " + kind + " error "
                    + r.worst().get(kind) + " is not comfortably (10×) under its limit");
        }
    }

    private static double limit(String kind) {
        return switch (kind) {
            case "value" -> 1e-4;
            case "grad" -> 1e-3;
            case "update" -> 1e-2;
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @Test
    void checkerAcceptsExactCopyOfExpected() {
        Fixture fx = fixture("tiny-classification");
        ParityCheck.Result r = ParityCheck.compare(fx.expected(), copy(fx.expected()), fx.config().lr());
        assertTrue(r.passed(), () -> r.failures().toString());
    }

    /** Perturbs one element of an expected tensor by {@code factor} × the tensor's norm. */
    private static ParityCheck.Result perturbExpected(String fixture, String tensor, int index, double byNormFraction,
                                                      double absolute) {
        Fixture fx = fixture(fixture);
        Map<String, HostTensor> exp = copy(fx.expected());
        HostTensor t = exp.get(tensor);
        assertNotNull(t, tensor);
        float[] v = t.asFloats();
        double n = 0;
        for (float x : v) n += (double) x * x;
        v[index] += (float) (byNormFraction * Math.sqrt(n) + absolute);
        return ParityCheck.compare(exp, actual(fixture), fx.config().lr());
    }

    @Test
    void checkerRejectsOutputPerturbedBeyondTolerance() {
        ParityCheck.Result bad = perturbExpected("tiny-classification", "eval.audio.pred", 1, 3e-4, 0);
        assertFalse(bad.passed());
        assertEquals(1, bad.failures().size(), bad.failures().toString());
        assertTrue(bad.failures().get(0).startsWith("eval.audio.pred:"), bad.failures().toString());
        // a perturbation well inside the 1e-4 limit still passes
        assertTrue(perturbExpected("tiny-classification", "eval.audio.pred", 1, 2e-5, 0).passed());
    }

    @Test
    void checkerRejectsGradientPerturbedBeyondTolerance() {
        String g = "step.visual.grad.visual.proj.weight";
        ParityCheck.Result bad = perturbExpected("tiny-regression", g, 3, 3e-3, 0);
        assertFalse(bad.passed());
        assertTrue(bad.failures().stream().anyMatch(f -> f.startsWith(g + ":")), bad.failures().toString());
        assertTrue(perturbExpected("tiny-regression", g, 3, 2e-4, 0).passed());
    }

    @Test
    void checkerRejectsUpdatedParameterOffByMoreThanOnePercentOfLr() {
        Fixture fx = fixture("tiny-classification");
        String p = "head.fusion.out.bias"; // trained in the fusion step only; its gradient is far from zero
        float[] grad = fx.expected().get("step.fusion.grad." + p).asFloats();
        int i = 0;
        while (Math.abs(grad[i]) <= 1e-6) i++;
        double lr = fx.config().lr();
        ParityCheck.Result bad = perturbExpected("tiny-classification", "after." + p, i, 0, 3e-2 * lr);
        assertFalse(bad.passed());
        assertTrue(bad.failures().stream().anyMatch(f -> f.startsWith("after." + p + ":")), bad.failures().toString());
        assertTrue(perturbExpected("tiny-classification", "after." + p, i, 0, 2e-3 * lr).passed());
    }

    @Test
    void checkerRejectsMissingTensor() {
        Fixture fx = fixture("tiny-regression");
        Map<String, HostTensor> act = copy(actual("tiny-regression"));
        assertNotNull(act.remove("after.shared.norm.weight"));
        ParityCheck.Result r = ParityCheck.compare(fx.expected(), act, fx.config().lr());
        assertEquals(List.of("after.shared.norm.weight: missing"), r.failures());
    }

    @Test
    void checkerRejectsShapeMismatchEvenWithSameValues() {
        Fixture fx = fixture("tiny-regression");
        Map<String, HostTensor> act = copy(actual("tiny-regression"));
        HostTensor t = act.get("eval.visual.pred");
        int[] s = t.shape();
        act.put("eval.visual.pred", HostTensor.ofFloats(t.asFloats(), s[1], s[0])); // transposed shape, same data
        ParityCheck.Result r = ParityCheck.compare(fx.expected(), act, fx.config().lr());
        assertEquals(1, r.failures().size(), r.failures().toString());
        assertTrue(r.failures().get(0).startsWith("eval.visual.pred: shape"), r.failures().toString());
    }

    @Test
    void checkerRejectsNaNOutput() {
        Fixture fx = fixture("tiny-classification");
        Map<String, HostTensor> act = copy(actual("tiny-classification"));
        act.get("step.audio.loss").asFloats()[0] = Float.NaN;
        ParityCheck.Result r = ParityCheck.compare(fx.expected(), act, fx.config().lr());
        assertFalse(r.passed());
        assertTrue(r.failures().get(0).startsWith("step.audio.loss:"), r.failures().toString());
    }
}
