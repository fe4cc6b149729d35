package dev.vavl4j;

/**
 * A compute device or native library that cannot be opened or failed: no usable GPU, a CUDA error, device
 * memory exhausted, an unusable OpenBLAS setting, or a JVM started without the flags vavl4j needs.
 */
public class DeviceException extends VavlException {
    public DeviceException(String message) {
        super(message);
    }

    public DeviceException(String message, Throwable cause) {
        super(message, cause);
    }
}
