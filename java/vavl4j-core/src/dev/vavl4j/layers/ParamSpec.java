package dev.vavl4j.layers;

/** One declared parameter or buffer: its full spec §8 name, its shape and its initialiser. */
public record ParamSpec(String name, int[] shape, Init init) {
    public ParamSpec {
        shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }
}
