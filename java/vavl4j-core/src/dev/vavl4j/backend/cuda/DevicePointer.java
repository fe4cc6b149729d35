package dev.vavl4j.backend.cuda;

/** Something that stands for a device address when passed to a kernel (a tensor, a mask's lengths). */
interface DevicePointer {
    /** The NULL pointer, for a kernel's optional pointer argument. */
    DevicePointer NULL = () -> 0L;

    /** The CUdeviceptr; throws if the storage has been released. */
    long address();
}
