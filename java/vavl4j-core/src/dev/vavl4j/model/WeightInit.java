package dev.vavl4j.model;

import dev.vavl4j.io.HostTensor;
import dev.vavl4j.layers.Declarations;
import dev.vavl4j.layers.Init;
import dev.vavl4j.layers.ParamSpec;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Fresh weights for a configuration, seeded, following PyTorch's defaults for the same modules as each layer
 * declares them ({@link Init}): Linear/conv weights and biases U(±1/√fan_in); LayerNorm and BatchNorm weight
 * 1, bias 0; the attention biases u, v Xavier-uniform; batch-norm running mean 0 and variance 1. One
 * {@link SplittableRandom} is drawn from in declaration order, the random tensors only.
 */
public final class WeightInit {
    private WeightInit() {}

    public static Map<String, HostTensor> initial(VavlConfig cfg, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, HostTensor> w = new LinkedHashMap<>();
        Declarations ds = VavlModel.declare(cfg);
        for (ParamSpec p : ds.params()) w.put(p.name(), HostTensor.ofFloats(values(p, rng), p.shape()));
        for (ParamSpec p : ds.buffers()) w.put(p.name(), HostTensor.ofFloats(values(p, rng), p.shape()));
        return w;
    }

    private static float[] values(ParamSpec p, SplittableRandom rng) {
        int[] shape = p.shape();
        float[] v = new float[HostTensor.elements(shape)];
        double bound;
        switch (p.init()) {
            case Init.Constant c -> {
                if (c.value() != 0f) Arrays.fill(v, c.value());
                return v;
            }
            case Init.Xavier x -> bound = Math.sqrt(6.0 / (shape[0] + shape[1]));
            case Init.Uniform u -> bound = 1.0 / Math.sqrt(u.fanIn());
        }
        for (int i = 0; i < v.length; i++) v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        return v;
    }
}
