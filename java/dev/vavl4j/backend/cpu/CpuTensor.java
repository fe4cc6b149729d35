package dev.vavl4j.backend.cpu;

import dev.vavl4j.backend.Tensor;
import java.util.Arrays;

/** A tensor stored in a Java float array. */
final class CpuTensor implements Tensor {
    final float[] data;
    private final int[] shape;

    CpuTensor(float[] data, int[] shape) {
        this.data = data;
        this.shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public int size() {
        return data.length;
    }

    @Override
    public String toString() {
        return "CpuTensor" + Arrays.toString(shape);
    }
}
