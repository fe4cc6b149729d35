package dev.vavl4j.layers;

import dev.vavl4j.backend.Tensor;

/** Where layers find their parameters and buffers by spec name. */
public interface ParamSource {
    Param param(String name);

    Tensor buffer(String name);

    default Linear linear(String prefix) {
        return new Linear(param(prefix + ".weight"), param(prefix + ".bias"));
    }

    default LayerNorm layerNorm(String prefix) {
        return new LayerNorm(param(prefix + ".weight"), param(prefix + ".bias"));
    }
}
