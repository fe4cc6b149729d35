package dev.vavl4j.model;

import dev.vavl4j.io.HostTensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Fresh weights for a configuration, seeded, following PyTorch's defaults for the same modules:
 * Linear/conv weights and biases U(±1/√fan_in); LayerNorm and BatchNorm weight 1, bias 0; the
 * attention biases u, v Xavier-uniform; batch-norm running mean 0 and variance 1.
 */
public final class WeightInit {
    private WeightInit() {}

    public static Map<String, HostTensor> initial(VavlConfig cfg, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, HostTensor> w = new LinkedHashMap<>();
        Map<String, int[]> shapes = ParamLayout.parameters(cfg);
        shapes.forEach((name, shape) -> w.put(name, HostTensor.ofFloats(values(name, shape, shapes, rng), shape)));
        ParamLayout.buffers(cfg).forEach((name, shape) -> {
            float[] v = new float[shape[0]];
            if (name.endsWith("running_var")) java.util.Arrays.fill(v, 1f);
            w.put(name, HostTensor.ofFloats(v, shape));
        });
        return w;
    }

    private static float[] values(String name, int[] shape, Map<String, int[]> shapes, SplittableRandom rng) {
        int n = HostTensor.elements(shape);
        float[] v = new float[n];
        boolean norm = name.endsWith("norm.weight") || name.endsWith("norm.bias") || name.endsWith("bn.weight")
                || name.endsWith("bn.bias");
        if (norm) {
            if (name.endsWith(".weight")) java.util.Arrays.fill(v, 1f);
            return v;
        }
        double bound;
        if (name.endsWith("u_bias") || name.endsWith("v_bias")) {
            bound = Math.sqrt(6.0 / (shape[0] + shape[1]));
        } else if (name.endsWith(".bias")) {
            int[] w = shapes.get(name.substring(0, name.length() - ".bias".length()) + ".weight");
            bound = 1.0 / Math.sqrt(w[1]);
        } else {
            bound = 1.0 / Math.sqrt(shape[1]); // [out, in] linear, [d, K] depthwise (fan_in = K)
        }
        for (int i = 0; i < n; i++) v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        return v;
    }
}
