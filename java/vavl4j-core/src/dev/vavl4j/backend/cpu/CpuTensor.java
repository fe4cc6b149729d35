package dev.vavl4j.backend.cpu;

import dev.vavl4j.backend.Tensor;
import java.util.Arrays;

/** A tensor stored in a Java float array. */
final class CpuTensor implements Tensor {
    private float[] data;
    private final int[] shape;

    CpuTensor(float[] data, int[] shape) {
        this.data = data;
        this.shape = shape.clone();
    }

    /**
     * The storage. A tensor whose workspace has closed throws here, so the CPU backend catches the
     * use-after-release that would read recycled memory on a GPU.
     */
    float[] data() {
        float[] d = data;
        if (d == null) throw new IllegalStateException(this + " used after its workspace closed");
        return d;
    }

    /** Detaches the storage (later use throws) and returns it for recycling. */
    float[] release() {
        float[] d = data;
        data = null;
        return d;
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public int size() {
        int n = 1;
        for (int s : shape) n *= s;
        return n;
    }

    @Override
    public String toString() {
        return "CpuTensor" + Arrays.toString(shape);
    }
}
