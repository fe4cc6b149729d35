package dev.vavl4j.backend.cuda;

import dev.vavl4j.backend.Tensor;
import java.util.Arrays;

/** A float32 tensor in device memory: a block of the backend's {@link DeviceMemory}. */
final class CudaTensor implements Tensor, DevicePointer {
    private final int[] shape;
    private final int size;
    private final DeviceMemory.Block block;

    CudaTensor(int[] shape, DeviceMemory.Block block) {
        this.shape = shape.clone();
        int n = 1;
        for (int s : shape) n *= s;
        this.size = n;
        this.block = block;
    }

    @Override
    public long address() {
        if (block.isReleased()) throw new IllegalStateException(this + " used after its workspace closed");
        return block.address();
    }

    DeviceMemory.Block block() {
        return block;
    }

    long bytes() {
        return 4L * size;
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public String toString() {
        return "CudaTensor" + Arrays.toString(shape);
    }
}
