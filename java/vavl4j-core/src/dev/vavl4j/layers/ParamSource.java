package dev.vavl4j.layers;

import dev.vavl4j.backend.Tensor;

/**
 * Where the tensors of a model are found by spec name; layers do not ask it directly but declare what they
 * read through {@link Declarations#over}.
 */
public interface ParamSource {
    Param param(String name);

    Tensor buffer(String name);
}
