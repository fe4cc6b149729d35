package dev.vavl4j.model;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.Tensor;
import dev.vavl4j.layers.Param;
import dev.vavl4j.io.FormatException;
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
     * Loads the weights of {@code cfg} from host tensors, validated by {@link #validate} first, so nothing is
     * uploaded from a set that fails.
     */
    public static ParameterStore fromHost(Backend be, VavlConfig cfg, Map<String, HostTensor> weights, String source) {
        validate(cfg, weights, source);
        ParameterStore s = new ParameterStore(be);
        ParamLayout.parameters(cfg).forEach((n, shape) -> s.params.put(n, new Param(n, upload(be, weights.get(n).floats(), shape))));
        ParamLayout.buffers(cfg).forEach((n, shape) -> s.buffers.put(n, upload(be, weights.get(n).floats(), shape)));
        return s;
    }

    /**
     * Checks host weights against the layout of {@code cfg} without touching a backend (a checkpoint's load and
     * {@code vavl info} use it too): every name of the layout present with its exact shape, a float dtype and
     * finite values; no name the layout does not know (it would mean the weights belong to another
     * configuration); every batch-norm {@code running_var} ≥ 0 (a variance; a negative one makes eval-mode
     * batch norm take the square root of a negative number). Errors are {@link FormatException}s naming
     * {@code source}, the tensor and the element.
     */
    public static void validate(VavlConfig cfg, Map<String, HostTensor> weights, String source) {
        Map<String, int[]> pShapes = ParamLayout.parameters(cfg), bShapes = ParamLayout.buffers(cfg);
        for (String name : weights.keySet()) {
            if (!pShapes.containsKey(name) && !bShapes.containsKey(name)) {
                throw new FormatException(source + ": tensor '" + name + "' is not a parameter of this configuration");
            }
        }
        pShapes.forEach((n, shape) -> checked(weights, n, shape, source));
        bShapes.forEach((n, shape) -> {
            float[] v = checked(weights, n, shape, source);
            if (n.endsWith(".running_var")) {
                for (int i = 0; i < v.length; i++) {
                    if (v[i] < 0) throw new FormatException(source + ": tensor '" + n + "' holds " + v[i] + " at element " + i + ", a variance must be ≥ 0");
                }
            }
        });
    }

    /** Weights live as long as the backend, whatever workspace the caller has open. */
    private static Tensor upload(Backend be, float[] values, int[] shape) {
        Tensor t = be.zerosPersistent(shape);
        be.copyFromHost(values, t);
        return t;
    }

    private static float[] checked(Map<String, HostTensor> w, String name, int[] shape, String source) {
        HostTensor t = w.get(name);
        if (t == null) throw new FormatException(source + ": missing tensor '" + name + "' " + Arrays.toString(shape));
        if (!Arrays.equals(t.shape(), shape)) {
            throw new FormatException(source + ": tensor '" + name + "' has shape " + t.shapeString() + ", expected " + Arrays.toString(shape));
        }
        if (!t.dtype().isFloat()) throw new FormatException(source + ": tensor '" + name + "' has dtype " + t.dtype() + ", expected F32");
        float[] v = t.floats();
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) throw new FormatException(source + ": tensor '" + name + "' holds " + v[i] + " at element " + i);
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

    /** Restores what {@link #optimizerToHost} wrote, after {@link #validateOptimizer} accepted it. */
    public void loadOptimizer(Map<String, HostTensor> state, String source) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        params.forEach((n, p) -> shapes.put(n, p.value.shape()));
        validateOptimizer(shapes, state, source);
        for (Param p : params.values()) {
            be.copyFromHost(state.get("adam.m." + p.name).floats(), p.adamM(be));
            be.copyFromHost(state.get("adam.v." + p.name).floats(), p.adamV(be));
            p.setSteps(state.get("adam.steps." + p.name).ints()[0]);
        }
    }

    /**
     * Checks Adam state on the host against the parameters of {@code cfg} (see {@link #optimizerToHost}): for
     * every parameter {@code adam.m.} and {@code adam.v.} with its shape, a float dtype and finite values,
     * {@code adam.v} ≥ 0 (a mean of squares), and {@code adam.steps.} one int32 ≥ 0; no other tensor.
     */
    public static void validateOptimizer(VavlConfig cfg, Map<String, HostTensor> state, String source) {
        validateOptimizer(ParamLayout.parameters(cfg), state, source);
    }

    private static void validateOptimizer(Map<String, int[]> shapes, Map<String, HostTensor> state, String source) {
        for (String name : state.keySet()) {
            String p = name.replaceFirst("^adam\\.(m|v|steps)\\.", "");
            if (p.equals(name) || !shapes.containsKey(p)) {
                throw new FormatException(source + ": tensor '" + name + "' is not Adam state of a parameter of this configuration");
            }
        }
        shapes.forEach((name, shape) -> {
            checked(state, "adam.m." + name, shape, source);
            float[] v = checked(state, "adam.v." + name, shape, source);
            for (int i = 0; i < v.length; i++) {
                if (v[i] < 0) throw new FormatException(source + ": tensor 'adam.v." + name + "' holds " + v[i] + " at element " + i + ", it must be ≥ 0");
            }
            HostTensor steps = state.get("adam.steps." + name);
            if (steps == null || steps.dtype() != HostTensor.DType.I32 || steps.shape().length != 1 || steps.size() != 1 || steps.ints()[0] < 0) {
                throw new FormatException(source + ": tensor 'adam.steps." + name + "' must be one non-negative int32 [1], got "
                        + (steps == null ? "nothing" : steps.dtype() + " " + steps.shapeString()
                        + (steps.ints() != null && steps.size() == 1 ? " holding " + steps.ints()[0] : "")));
            }
        });
    }

    public void zeroGrads(List<Param> ps) {
        for (Param p : ps) be.fill(p.grad(be), 0f);
    }
}
