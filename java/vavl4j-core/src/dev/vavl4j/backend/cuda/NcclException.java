package dev.vavl4j.backend.cuda;

import java.util.Map;

/**
 * An NCCL call that returned an error status, e.g. {@code ncclCommInitRank failed: ncclInvalidUsage (5):
 * invalid usage (run with NCCL_DEBUG=WARN for details)}: the call, the ncclResult_t name and code, and
 * NCCL's own description when the library gives one.
 */
public final class NcclException extends dev.vavl4j.DeviceException {
    private final String call;
    private final int code;

    public NcclException(String call, int code, String description) {
        super(call + " failed: " + name(code) + " (" + code + ")" + (description == null || description.isBlank() ? "" : ": " + description));
        this.call = call;
        this.code = code;
    }

    public String call() {
        return call;
    }

    /** The ncclResult_t value. */
    public int code() {
        return code;
    }

    /** ncclResult_t names, from nccl.h (2.x). */
    private static final Map<Integer, String> NAMES = Map.of(
            0, "ncclSuccess", 1, "ncclUnhandledCudaError", 2, "ncclSystemError", 3, "ncclInternalError",
            4, "ncclInvalidArgument", 5, "ncclInvalidUsage", 6, "ncclRemoteError", 7, "ncclInProgress");

    /** The name of an ncclResult_t value, or {@code ncclResult(N)} for one this table does not know. */
    public static String name(int code) {
        return NAMES.getOrDefault(code, "ncclResult(" + code + ")");
    }
}
