package dev.vavl4j.backend.cuda;

import dev.vavl4j.backend.SeqMask;

/**
 * A valid-frame mask with its lengths copied to the device as int32 [B]; kernels take the mask as that
 * pointer plus T (and B where needed).
 */
final class CudaMask implements SeqMask, DevicePointer {
    private final int[] lengths;
    private final int time;
    private final DeviceMemory.Block deviceLengths;

    CudaMask(int[] lengths, int time, DeviceMemory.Block deviceLengths) {
        this.lengths = lengths.clone();
        this.time = time;
        this.deviceLengths = deviceLengths;
    }

    @Override
    public long address() {
        if (deviceLengths.isReleased()) throw new IllegalStateException("mask used after its workspace closed");
        return deviceLengths.address();
    }

    @Override
    public int batch() {
        return lengths.length;
    }

    @Override
    public int time() {
        return time;
    }

    @Override
    public int length(int b) {
        return lengths[b];
    }
}
