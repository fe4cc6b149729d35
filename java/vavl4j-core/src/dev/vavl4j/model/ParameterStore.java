package dev.vavl4j.model;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.Tensor;
import dev.vavl4j.layers.Param;
import dev.vavl4j.io.HostTensor;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every parameter and batch-norm buffer of a model, by the names of spec §8, on one backend. The
 * layout (names and shapes) comes from {@link ParamLayout}; values from a weights file or an initialiser.
 */
public final class ParameterStore implements dev.vavl4j.layers.ParamSource {
    private final Backend be;
    private final Map<String, Param> params = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();

    private ParameterStore(Backend be) {
        this.be = be;
    }

    /**
     * Loads the weights of {@code cfg} from host tensors. Every name of the layout must be present with
     * its exact shape and finite values; names the layout does not know are rejected too, since they mean
     * the weights belong to another configuration.
     */
    public static ParameterStore fromHost(Backend be, VavlConfig cfg, Map<String, HostTensor> weights, String source) {
        ParameterStore s = new ParameterStore(be);
        Map<String, int[]> pShapes = ParamLayout.parameters(cfg), bShapes = ParamLayout.buffers(cfg);
        for (String name : weights.keySet()) {
            if (!pShapes.containsKey(name) && !bShapes.containsKey(name)) {
                throw new dev.vavl4j.io.FormatException(source + ": tensor '" + name + "' is not a parameter of this configuration");
            }
        }
        pShapes.forEach((n, shape) -> s.params.put(n, new Param(n, upload(be, weights, n, shape, source))));
        bShapes.forEach((n, shape) -> s.buffers.put(n, upload(be, weights, n, shape, source)));
        return s;
    }

    /** Weights live as long as the backend, whatever workspace the caller has open. */
    private static Tensor upload(Backend be, Map<String, HostTensor> w, String name, int[] shape, String source) {
        Tensor t = be.zerosPersistent(shape);
        be.copyFromHost(checked(w, name, shape, source), t);
        return t;
    }

    private static float[] checked(Map<String, HostTensor> w, String name, int[] shape, String source) {
        HostTensor t = w.get(name);
        if (t == null) throw new dev.vavl4j.io.FormatException(source + ": missing tensor '" + name + "' " + Arrays.toString(shape));
        if (!Arrays.equals(t.shape(), shape)) {
            throw new dev.vavl4j.io.FormatException(source + ": tensor '" + name + "' has shape " + t.shapeString()
                    + ", expected " + Arrays.toString(shape));
        }
        if (!t.dtype().isFloat()) throw new dev.vavl4j.io.FormatException(source + ": tensor '" + name + "' has dtype " + t.dtype() + ", expected F32");
        float[] v = t.floats();
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new dev.vavl4j.io.FormatException(source + ": tensor '" + name + "' holds " + v[i] + " at element " + i);
            }
        }
        return v;
    }

    @Override
    public Param param(String name) {
        Param p = params.get(name);
        if (p == null) throw new IllegalStateException("no parameter " + name);
        return p;
    }

    @Override
    public Tensor buffer(String name) {
        Tensor t = buffers.get(name);
        if (t == null) throw new IllegalStateException("no buffer " + name);
        return t;
    }

    public Map<String, Param> params() {
        return Collections.unmodifiableMap(params);
    }

    /** Parameters whose names start with any of the prefixes, in layout order. */
    public List<Param> select(List<String> prefixes) {
        return params.values().stream().filter(p -> prefixes.stream().anyMatch(p.name::startsWith)).toList();
    }

    public Backend backend() {
        return be;
    }

    /** Every parameter and buffer as host tensors, by name. */
    public Map<String, HostTensor> toHost() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        params.forEach((n, p) -> out.put(n, HostTensor.ofFloats(be.toHost(p.value), p.value.shape())));
        buffers.forEach((n, t) -> out.put(n, HostTensor.ofFloats(be.toHost(t), t.shape())));
        return out;
    }

    /**
     * The Adam state of every parameter: {@code adam.m.<name>}, {@code adam.v.<name>} (float32, the
     * parameter's shape; zeros before its first update) and {@code adam.steps.<name>} (int32 [1]).
     */
    public Map<String, HostTensor> optimizerToHost() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Param p : params.values()) {
            out.put("adam.m." + p.name, HostTensor.ofFloats(be.toHost(p.adamM(be)), p.value.shape()));
            out.put("adam.v." + p.name, HostTensor.ofFloats(be.toHost(p.adamV(be)), p.value.shape()));
            out.put("adam.steps." + p.name, HostTensor.ofInts(new int[] {p.steps()}, 1));
        }
        return out;
    }

    /** Restores what {@link #optimizerToHost} wrote; every parameter's three tensors must be present and valid. */
    public void loadOptimizer(Map<String, HostTensor> state, String source) {
        int expected = 3 * params.size();
        if (state.size() != expected) {
            for (String name : state.keySet()) {
                String p = name.replaceFirst("^adam\\.(m|v|steps)\\.", "");
                if (p.equals(name) || !params.containsKey(p)) {
                    throw new dev.vavl4j.io.FormatException(source + ": tensor '" + name + "' is not Adam state of a parameter of this configuration");
                }
            }
        }
        for (Param p : params.values()) {
            int[] shape = p.value.shape();
            be.copyFromHost(checked(state, "adam.m." + p.name, shape, source), p.adamM(be));
            be.copyFromHost(checked(state, "adam.v." + p.name, shape, source), p.adamV(be));
            HostTensor steps = state.get("adam.steps." + p.name);
            if (steps == null || steps.size() != 1 || steps.dtype().isFloat() || steps.asInts()[0] < 0) {
                throw new dev.vavl4j.io.FormatException(source + ": tensor 'adam.steps." + p.name + "' must be one non-negative int32, got "
                        + (steps == null ? "nothing" : steps.dtype() + " " + steps.shapeString()));
            }
            p.setSteps(steps.asInts()[0]);
        }
        for (Param p : params.values()) {
            if (hasNegative(be.toHost(p.adamV(be)))) throw new dev.vavl4j.io.FormatException(source + ": 'adam.v." + p.name + "' holds a negative value");
        }
    }

    private static boolean hasNegative(float[] v) {
        for (float x : v) if (x < 0) return true;
        return false;
    }

    public void zeroGrads(List<Param> ps) {
        for (Param p : ps) be.fill(p.grad(be), 0f);
    }
}
