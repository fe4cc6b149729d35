package dev.vavl4j.backend.cuda;

/** No usable GPU: a library not found, no device, or a driver too old. The message is one line for a user. */
public final class CudaUnavailableException extends dev.vavl4j.DeviceException {
    public CudaUnavailableException(String message) {
        super(message);
    }

    public CudaUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
