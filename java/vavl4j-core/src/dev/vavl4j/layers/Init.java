package dev.vavl4j.layers;

/**
 * How a declared parameter or buffer starts (docs/model.md appendix B): PyTorch's defaults for the module
 * that owns it.
 */
public sealed interface Init {
    /** U(±1/√fanIn): Linear weights and biases, the projection, the position weight, the depthwise kernel. */
    record Uniform(int fanIn) implements Init {}

    /** Xavier-uniform over a [rows, cols] tensor, U(±√(6/(rows+cols))): the attention biases u, v. */
    record Xavier() implements Init {}

    /** Every element the same: norm weights 1, biases 0, batch-norm running mean 0 and variance 1. */
    record Constant(float value) implements Init {}

    Init ONES = new Constant(1f);
    Init ZEROS = new Constant(0f);
    Init XAVIER = new Xavier();

    static Init uniform(int fanIn) {
        return new Uniform(fanIn);
    }
}
