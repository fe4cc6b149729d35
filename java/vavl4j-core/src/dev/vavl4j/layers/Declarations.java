package dev.vavl4j.layers;

import dev.vavl4j.backend.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The parameters and buffers a model is made of, as its layers declare them: a layer's constructor declares
 * each tensor it reads (name under the layer's prefix, shape from the configuration, initialiser) and gets
 * back the handle it keeps. Over a {@link ParamSource} the handles are that source's tensors (checked against
 * the declared shape); without one ({@link #Declarations()}) they are empty placeholders, and only the list is
 * wanted. The layout, the checkpoint names (spec §8) and the initial weights all come from this list, in
 * declaration order.
 */
public final class Declarations {
    private final ParamSource source;
    private final List<ParamSpec> params = new ArrayList<>();
    private final List<ParamSpec> buffers = new ArrayList<>();
    private final Set<String> names = new HashSet<>();

    /** Declarations only: the handles hold no tensor. */
    public Declarations() {
        this(null);
    }

    private Declarations(ParamSource source) {
        this.source = source;
    }

    /** Declarations whose handles are the tensors of {@code source}. */
    public static Declarations over(ParamSource source) {
        return new Declarations(java.util.Objects.requireNonNull(source));
    }

    public Param param(String name, int[] shape, Init init) {
        params.add(spec(name, shape, init));
        if (source == null) return new Param(name, null);
        Param p = source.param(name);
        checkShape(name, p.value, shape);
        return p;
    }

    public Tensor buffer(String name, int[] shape, Init init) {
        buffers.add(spec(name, shape, init));
        if (source == null) return null;
        Tensor t = source.buffer(name);
        checkShape(name, t, shape);
        return t;
    }

    private static void checkShape(String name, Tensor t, int[] shape) {
        if (t != null && !Arrays.equals(t.shape(), shape)) {
            throw new IllegalStateException(name + " has shape " + Arrays.toString(t.shape()) + ", declared " + Arrays.toString(shape));
        }
    }

    private ParamSpec spec(String name, int[] shape, Init init) {
        if (!names.add(name)) throw new IllegalStateException("parameter " + name + " declared twice");
        return new ParamSpec(name, shape, init);
    }

    public List<ParamSpec> params() {
        return Collections.unmodifiableList(params);
    }

    public List<ParamSpec> buffers() {
        return Collections.unmodifiableList(buffers);
    }
}
