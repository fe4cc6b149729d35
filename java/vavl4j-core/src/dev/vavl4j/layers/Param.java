package dev.vavl4j.layers;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.Tensor;

/** A trainable tensor with its gradient, Adam moments and its own update count t (spec §6). */
public final class Param {
    public final String name;
    public final Tensor value;
    private Tensor grad;
    private Tensor adamM;
    private Tensor adamV;
    private int steps;

    public Param(String name, Tensor value) {
        this.name = name;
        this.value = value;
    }

    /** The gradient, created zeroed on first use (outliving the step's workspace); layers accumulate into it. */
    public Tensor grad(Backend be) {
        if (grad == null) grad = be.zerosPersistent(value.shape());
        return grad;
    }

    public Tensor adamM(Backend be) {
        if (adamM == null) adamM = be.zerosPersistent(value.shape());
        return adamM;
    }

    public Tensor adamV(Backend be) {
        if (adamV == null) adamV = be.zerosPersistent(value.shape());
        return adamV;
    }

    /** Number of Adam updates this parameter has received. */
    public int steps() {
        return steps;
    }

    public void setSteps(int steps) {
        this.steps = steps;
    }
}
