package dev.vavl4j.backend.cuda;

/** Something that stands for a device address when passed to a kernel (a tensor, a mask's lengths). */
interface DevicePointer {
    /** The CUdeviceptr; throws if the storage has been released. */
    long address();
}
