package dev.vavl4j.testutil;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.Tensor;
import dev.vavl4j.io.HostTensor;
import dev.vavl4j.layers.Param;
import dev.vavl4j.model.ParamLayout;
import dev.vavl4j.model.ParameterStore;
import dev.vavl4j.model.VavlConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Finite-difference gradient checks for float32 backends.
 *
 * <p>The scalar under test is {@code L = Σ_i w_i·out_i}, accumulated in double on the host, where
 * {@code out} is whatever the forward under test returns (re-run from scratch for every evaluation)
 * and {@code w} are fixed random weights. The analytic gradient {@code g = ∂L/∂θ} comes from running the
 * backward once with {@code dOut = w}.
 *
 * <p>For a tensor θ the check perturbs it along a direction v and compares a finite difference with
 * the analytic directional derivative. To be exact about float32 rounding of the perturbed values, the
 * comparison is made on the <em>actual</em> perturbation: with θ⁺ = fl(θ + s·v), θ⁻ = fl(θ − s·v) and
 * δ = θ⁺ − θ⁻ (exact in double), D(s) = L(θ⁺) − L(θ⁻) is compared with ⟨g, δ⟩. The central difference
 * is Richardson-extrapolated, fd = (8·D(s) − D(2s))/6 (same combination on the analytic side), which
 * cancels the s³ truncation term: without it, 1%-of-scale steps through two Conformer blocks showed
 * truncation errors up to 2% (shrinking 16× for a 4× smaller step, i.e. truncation, not a bug).
 * Each tensor gets {@link #directions} random Gaussian directions (they detect any error vector e
 * unless ‖e‖ is small against ‖g‖, since ⟨e, v⟩ ~ N(0, ‖e‖²)) plus {@link #singles} single elements
 * (the largest |g| ones, where a wrong element shows most clearly, and one random element, which for an
 * input often lands in a padded frame where both sides must be exactly 0).
 *
 * <p><b>Tolerance.</b> Pass iff {@code |fd − an| ≤ RTOL·max(|fd|, |an|) + atol} with
 * {@code atol = 1.5·NOISE·M + ATOL_REL·‖g‖₂·‖δ‖₂}, where {@code M = Σ|w_i·out_i|}:
 * <ul>
 * <li>RTOL = 1e-2: after extrapolation the truncation error at steps of ~1% of a tensor's RMS is
 *     ≲ 1e-3 relative (the worst seen over ~1600 checks), so 1e-2 has margin; a gradient wrong by a sign,
 *     a factor, a missing term or a transposition is off by far more. Verified once by scaling the
 *     analytic side: ×(−1) fails every check whose gradient is not exactly 0, ×1.05 fails 97% of checks
 *     and ×0.97 95%, so every test (each has dozens of checks) fails.</li>
 * <li>1.5·NOISE·M with NOISE = 2e-7 bounds the float32 rounding noise of the difference of L
 *     evaluations (out_i carry a few ulps of 2⁻²³ ≈ 1.2e-7 each, mostly cancelling in the sum; the noise
 *     seen where the true derivative is 0 was ≤ 2e-8·M). It matters only when ⟨g, δ⟩ is tiny.</li>
 * <li>ATOL_REL·‖g‖‖δ‖ (Cauchy–Schwarz bound of ⟨g, δ⟩ times 1e-4) keeps a direction that happens to be
 *     nearly orthogonal to g from failing on noise; it is ~100× below the typical |⟨g, δ⟩|
 *     (≈ ‖g‖‖δ‖/√n for n ≤ a few hundred elements), so it does not hide errors.</li>
 * <li>No check passes vacuously: when |⟨g, δ⟩| is below 50× the noise term the step grows ×4 (at most
 *     three times) before comparing; only the random single element is exempt (its gradient may be 0).</li>
 * </ul>
 */
public final class GradCheck {
    public static final double RTOL = 1e-2;
    public static final double NOISE = 2e-7;
    public static final double ATOL_REL = 1e-4;

    private final Supplier<double[]> forward;
    private final float[] w;
    private final Backend be;
    private final Random rng;
    public int directions = 2;
    public int singles = 3;
    private final List<String> log = new ArrayList<>();
    private double worst;
    private int checks;

    /**
     * @param forward runs the forward from scratch on the current tensor values and returns its output on
     *                the host (length of {@code w})
     * @param w       loss weights; elements with {@code w_i = 0} are skipped (so padded garbage never
     *                turns into NaN through 0·inf)
     */
    public GradCheck(Backend be, long seed, Supplier<float[]> forward, float[] w) {
        this(be, seed, w, () -> {
            float[] f = forward.get();
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) d[i] = f[i];
            return d;
        });
    }

    private GradCheck(Backend be, long seed, float[] w, Supplier<double[]> forward) {
        this.be = be;
        this.forward = forward;
        this.w = w;
        this.rng = new Random(seed);
    }

    /** A check of a scalar computed in double (a loss): L is the value itself. */
    public static GradCheck scalar(Backend be, long seed, java.util.function.DoubleSupplier loss) {
        return new GradCheck(be, seed, new float[] {1f}, () -> new double[] {loss.getAsDouble()});
    }

    /** L and M = Σ|w·out| of the current values. */
    public double[] evaluate() {
        double[] out = forward.get();
        if (out.length != w.length) throw new IllegalStateException("forward returned " + out.length + " values, weights " + w.length);
        double s = 0, m = 0;
        for (int i = 0; i < out.length; i++) {
            if (w[i] == 0f) continue;
            double t = w[i] * out[i];
            s += t;
            m += Math.abs(t);
        }
        if (!Double.isFinite(s)) fail("loss is not finite: " + s);
        return new double[] {s, m};
    }

    /**
     * Checks {@code grad} as the gradient of L with respect to {@code value}: directions with entries
     * N(0, step²), single elements perturbed by 2·step.
     */
    public GradCheck check(String name, Tensor value, float[] grad, double step) {
        float[] base = be.toHost(value);
        if (grad.length != base.length) fail(name + ": gradient has " + grad.length + " values, tensor " + base.length);
        for (float g : grad) if (!Float.isFinite(g)) fail(name + ": non-finite analytic gradient " + g);
        double gNorm = norm(grad);
        try {
            for (int k = 0; k < directions; k++) {
                float[] v = new float[base.length];
                for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextGaussian();
                compare(name + " dir" + k, value, base, grad, gNorm, v, step, true);
            }
            int[] order = topByMagnitude(grad, Math.max(0, singles - 1));
            List<Integer> idx = new ArrayList<>();
            for (int i : order) idx.add(i);
            if (singles > 0) idx.add(rng.nextInt(base.length));
            for (int i : idx) {
                float[] v = new float[base.length];
                v[i] = 1f;
                // the random element may have a ~0 gradient: then fd must be ~0 as well (no step growth)
                compare(name + "[" + i + "]", value, base, grad, gNorm, v, 2 * step, !(singles > 0 && i == idx.getLast()));
            }
        } finally {
            be.copy(be.fromHost(base, value.shape()), value);
        }
        return this;
    }

    /** Checks a step of {@code relStep} times the RMS of the tensor's values (at least {@code relStep·floor}). */
    public GradCheck checkRel(String name, Tensor value, float[] grad, double relStep, double floor) {
        return check(name, value, grad, relStep * Math.max(rms(be.toHost(value)), floor));
    }

    /** L(θ⁺) − L(θ⁻), ⟨g, θ⁺ − θ⁻⟩, ‖θ⁺ − θ⁻‖ and max M, for θ± = fl(θ ± s·v). */
    private double[] difference(Tensor value, float[] base, float[] grad, float[] v, double s) {
        float[] plus = new float[base.length], minus = new float[base.length];
        double an = 0, dNorm2 = 0;
        for (int i = 0; i < base.length; i++) {
            plus[i] = (float) (base[i] + s * v[i]);
            minus[i] = (float) (base[i] - s * v[i]);
            double d = (double) plus[i] - (double) minus[i];
            an += grad[i] * d;
            dNorm2 += d * d;
        }
        be.copy(be.fromHost(plus, value.shape()), value);
        double[] lp = evaluate();
        be.copy(be.fromHost(minus, value.shape()), value);
        double[] lm = evaluate();
        be.copy(be.fromHost(base, value.shape()), value);
        return new double[] {lp[0] - lm[0], an, Math.sqrt(dNorm2), Math.max(lp[1], lm[1])};
    }

    /**
     * One comparison, Richardson-extrapolated: with D(s) = L(θ + s·v) − L(θ − s·v) = 2s⟨g,v⟩ + c·s³ + O(s⁵),
     * fd = (8·D(s) − D(2s))/6 cancels the s³ term; the analytic side gets the same combination of the
     * actual perturbations. When the directional derivative is lost in the rounding noise of L (a small
     * or weakly coupled tensor), the step grows ×4, at most three times, so no check passes vacuously.
     */
    private void compare(String what, Tensor value, float[] base, float[] grad, double gNorm, float[] v, double step,
                         boolean grow) {
        for (int attempt = 0; ; attempt++) {
            double[] d1 = difference(value, base, grad, v, step), d2 = difference(value, base, grad, v, 2 * step);
            double fd = (8 * d1[0] - d2[0]) / 6, an = (8 * d1[1] - d2[1]) / 6;
            double noise = NOISE * Math.max(d1[3], d2[3]) * 1.5;
            if (grow && attempt < 3 && Math.abs(an) < 50 * noise) {
                step *= 4;
                continue;
            }
            double atol = noise + ATOL_REL * gNorm * d1[2];
            double allowed = RTOL * Math.max(Math.abs(fd), Math.abs(an)) + atol;
            double err = Math.abs(fd - an);
            checks++;
            worst = Math.max(worst, err / allowed);
            String line = String.format("%-48s fd=% .6e an=% .6e err=%.2e rel=%.2e allowed=%.2e step=%.1e", what, fd,
                    an, err, err / Math.max(Math.abs(an), 1e-300), allowed, step);
            log.add(line);
            if (Boolean.getBoolean("gradcheck.verbose")) System.out.println(line);
            if (!(err <= allowed)) fail("gradient check failed: " + line);
            return;
        }
    }

    /**
     * Asserts L does not depend on {@code value} at all (e.g. {@code attn.k.bias}: softmax ignores a
     * constant per row): a large random perturbation changes L by no more than its rounding noise.
     */
    public GradCheck assertInsensitive(String name, Tensor value, double step) {
        float[] base = be.toHost(value);
        float[] plus = base.clone(), minus = base.clone();
        for (int i = 0; i < base.length; i++) {
            double v = rng.nextGaussian() * step;
            plus[i] += (float) v;
            minus[i] -= (float) v;
        }
        try {
            be.copy(be.fromHost(plus, value.shape()), value);
            double[] lp = evaluate();
            be.copy(be.fromHost(minus, value.shape()), value);
            double[] lm = evaluate();
            double allowed = NOISE * Math.max(lp[1], lm[1]);
            String line = String.format("%-48s fd=% .6e (must be ~0) allowed=%.2e", name + " insensitive", lp[0] - lm[0], allowed);
            log.add(line);
            if (Boolean.getBoolean("gradcheck.verbose")) System.out.println(line);
            if (!(Math.abs(lp[0] - lm[0]) <= allowed)) fail("L depends on " + name + ": " + line);
        } finally {
            be.copy(be.fromHost(base, value.shape()), value);
        }
        return this;
    }

    /** Largest err/allowed seen so far (≤ 1 when everything passed). */
    public double worst() {
        return worst;
    }

    public int checks() {
        return checks;
    }

    // ------------------------------------------------------------------ parameters

    /** Checks every parameter of {@code params} by its name, with a step relative to its scale. */
    public GradCheck checkParams(Collection<Param> params, double relStep) {
        for (Param p : params) checkRel(p.name, p.value, be.toHost(p.grad(be)), relStep, 0.1);
        return this;
    }

    public static void zeroGrads(Backend be, Collection<Param> params) {
        for (Param p : params) be.fill(p.grad(be), 0f);
    }

    // ------------------------------------------------------------------ data helpers

    public static float[] randn(Random r, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextGaussian() * scale);
        return v;
    }

    public static Tensor randn(Backend be, Random r, double scale, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return be.fromHost(randn(r, n, scale), shape);
    }

    /** Values of {@code [B, T, C]} with garbage of magnitude ~{@code garbage} at padded frames. */
    public static float[] sequence(Random r, int[] lengths, int T, int C, double scale, double garbage) {
        float[] x = randn(r, lengths.length * T * C, scale);
        forPadded(lengths, T, C, i -> x[i] = (float) (garbage * (r.nextBoolean() ? 1 : -1) * (1 + r.nextDouble())));
        return x;
    }

    /** Loss weights N(0,1) on valid frames of {@code [B, T, C]}, 0 at padded frames. */
    public static float[] validWeights(Random r, int[] lengths, int T, int C) {
        float[] w = randn(r, lengths.length * T * C, 1.0);
        forPadded(lengths, T, C, i -> w[i] = 0f);
        return w;
    }

    public static void forPadded(int[] lengths, int T, int C, java.util.function.IntConsumer body) {
        for (int b = 0; b < lengths.length; b++) {
            for (int t = lengths[b]; t < T; t++) {
                for (int c = 0; c < C; c++) body.accept((b * T + t) * C + c);
            }
        }
    }

    /** Asserts the gradient is exactly zero at the padded frames of a {@code [B, T, C]} tensor. */
    public static void assertZeroAtPadded(float[] g, int[] lengths, int T, int C, String what) {
        forPadded(lengths, T, C, i -> {
            if (g[i] != 0f) fail(what + ": gradient " + g[i] + " at padded element " + i);
        });
    }

    public static void assertAllFinite(float[] v, String what) {
        for (int i = 0; i < v.length; i++) assertTrue(Float.isFinite(v[i]), what + "[" + i + "] = " + v[i]);
    }

    public static double norm(float[] v) {
        double s = 0;
        for (float x : v) s += (double) x * x;
        return Math.sqrt(s);
    }

    public static double rms(float[] v) {
        return v.length == 0 ? 0 : norm(v) / Math.sqrt(v.length);
    }

    public static double maxAbs(float[] v) {
        double m = 0;
        for (float x : v) m = Math.max(m, Math.abs(x));
        return m;
    }

    /** a − b elementwise. */
    public static float[] minus(float[] a, float[] b) {
        float[] o = new float[a.length];
        for (int i = 0; i < a.length; i++) o[i] = a[i] - b[i];
        return o;
    }

    public static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) n += p.length;
        float[] o = new float[n];
        int k = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, o, k, p.length);
            k += p.length;
        }
        return o;
    }

    private static int[] topByMagnitude(float[] g, int k) {
        k = Math.min(k, g.length);
        int[] top = new int[k];
        boolean[] used = new boolean[g.length];
        for (int j = 0; j < k; j++) {
            int best = -1;
            for (int i = 0; i < g.length; i++) {
                if (!used[i] && (best < 0 || Math.abs(g[i]) > Math.abs(g[best]))) best = i;
            }
            used[best] = true;
            top[j] = best;
        }
        return top;
    }

    // ------------------------------------------------------------------ tiny models

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A tiny configuration: D_a = 6, D_v = 5, p = 4, d = 8, H = 2, E = 2, K = 5, one modality and one shared
     * layer, heads [6, 5], C = 3, no dropout; {@code overrides} (spec §1 keys) replace any of these.
     */
    public static VavlConfig tinyConfig(Map<String, Object> overrides) {
        ObjectNode o = JSON.createObjectNode();
        o.put("audio_dim", 6).put("visual_dim", 5).put("proj_dim", 4).put("model_dim", 8).put("heads", 2)
                .put("ff_expansion", 2).put("conv_kernel", 5).put("modality_layers", 1).put("shared_layers", 1)
                .put("outputs", 3).put("dropout", 0.0).put("head_dropout", 0.0);
        o.putArray("head_hidden").add(6).add(5);
        overrides.forEach((k, v) -> o.set(k, JSON.valueToTree(v)));
        return VavlConfig.fromJson(o.toString(), "test");
    }

    /**
     * Random weights for every parameter of {@code cfg}, scaled so activations stay O(1): matrices
     * N(0, 1/fan_in), norm weights 1 + N(0, 0.2²), biases N(0, 0.2²), u/v biases N(0, 0.5²); running
     * statistics 0 and 1.
     */
    public static Map<String, HostTensor> randomWeights(VavlConfig cfg, long seed) {
        Random r = new Random(seed);
        Map<String, HostTensor> w = new LinkedHashMap<>();
        ParamLayout.parameters(cfg).forEach((name, shape) -> {
            int n = 1;
            for (int d : shape) n *= d;
            float[] v;
            if (shape.length == 2 && !name.endsWith("_bias")) {
                v = randn(r, n, 1.0 / Math.sqrt(shape[1]));
            } else if (name.endsWith("_bias")) {
                v = randn(r, n, 0.5);
            } else if (name.endsWith(".weight")) { // LayerNorm / BatchNorm scale
                v = randn(r, n, 0.2);
                for (int i = 0; i < n; i++) v[i] += 1f;
            } else {
                v = randn(r, n, 0.2);
            }
            w.put(name, HostTensor.ofFloats(v, shape));
        });
        ParamLayout.buffers(cfg).forEach((name, shape) -> {
            float[] v = new float[shape[0]];
            if (name.endsWith("running_var")) java.util.Arrays.fill(v, 1f);
            w.put(name, HostTensor.ofFloats(v, shape));
        });
        return w;
    }

    public static ParameterStore randomStore(Backend be, VavlConfig cfg, long seed) {
        return ParameterStore.fromHost(be, cfg, randomWeights(cfg, seed), "random");
    }

    /** Parameters of the store whose names start with {@code prefix}, in layout order. */
    public static List<Param> paramsUnder(ParameterStore store, String prefix) {
        return store.select(List.of(prefix));
    }
}
