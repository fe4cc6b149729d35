package dev.vavl4j.backend.cuda;

import java.util.Map;

/**
 * A CUDA driver or cuBLAS call that returned an error status. The message names the call, the status
 * name and code and, where the library gives one, its description, e.g. {@code cuLaunchKernel(vavl_layer_norm_fwd)
 * failed: CUDA_ERROR_ILLEGAL_ADDRESS (700): an illegal memory access was encountered}.
 */
public final class CudaException extends dev.vavl4j.DeviceException {
    private final String call;
    private final int code;
    private final String errorName;

    public CudaException(String call, int code, String errorName, String description) {
        super(call + " failed: " + errorName + " (" + code + ")"
                + (description == null || description.isBlank() ? "" : ": " + description));
        this.call = call;
        this.code = code;
        this.errorName = errorName;
    }

    /** The failed call, e.g. {@code cuMemAlloc_v2} or {@code cuLaunchKernel(vavl_adam)}. */
    public String call() {
        return call;
    }

    /** The CUresult or cublasStatus_t value. */
    public int code() {
        return code;
    }

    /** The status name, e.g. {@code CUDA_ERROR_OUT_OF_MEMORY} or {@code CUBLAS_STATUS_INVALID_VALUE}. */
    public String errorName() {
        return errorName;
    }

    // Fallback names, used when the library cannot name a code itself (values from cuda.h 13.0 and
    // cublas_api.h). The common ones also carry a description, as cuGetErrorString would give.
    private static final Map<Integer, String> DRIVER_NAMES = Map.ofEntries(
            Map.entry(0, "CUDA_SUCCESS"),
            Map.entry(1, "CUDA_ERROR_INVALID_VALUE"),
            Map.entry(2, "CUDA_ERROR_OUT_OF_MEMORY"),
            Map.entry(3, "CUDA_ERROR_NOT_INITIALIZED"),
            Map.entry(4, "CUDA_ERROR_DEINITIALIZED"),
            Map.entry(34, "CUDA_ERROR_STUB_LIBRARY"),
            Map.entry(36, "CUDA_ERROR_CALL_REQUIRES_NEWER_DRIVER"),
            Map.entry(46, "CUDA_ERROR_DEVICE_UNAVAILABLE"),
            Map.entry(100, "CUDA_ERROR_NO_DEVICE"),
            Map.entry(101, "CUDA_ERROR_INVALID_DEVICE"),
            Map.entry(200, "CUDA_ERROR_INVALID_IMAGE"),
            Map.entry(201, "CUDA_ERROR_INVALID_CONTEXT"),
            Map.entry(209, "CUDA_ERROR_NO_BINARY_FOR_GPU"),
            Map.entry(218, "CUDA_ERROR_INVALID_PTX"),
            Map.entry(221, "CUDA_ERROR_JIT_COMPILER_NOT_FOUND"),
            Map.entry(222, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION"),
            Map.entry(300, "CUDA_ERROR_INVALID_SOURCE"),
            Map.entry(301, "CUDA_ERROR_FILE_NOT_FOUND"),
            Map.entry(400, "CUDA_ERROR_INVALID_HANDLE"),
            Map.entry(401, "CUDA_ERROR_ILLEGAL_STATE"),
            Map.entry(500, "CUDA_ERROR_NOT_FOUND"),
            Map.entry(600, "CUDA_ERROR_NOT_READY"),
            Map.entry(700, "CUDA_ERROR_ILLEGAL_ADDRESS"),
            Map.entry(701, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES"),
            Map.entry(702, "CUDA_ERROR_LAUNCH_TIMEOUT"),
            Map.entry(709, "CUDA_ERROR_CONTEXT_IS_DESTROYED"),
            Map.entry(710, "CUDA_ERROR_ASSERT"),
            Map.entry(715, "CUDA_ERROR_ILLEGAL_INSTRUCTION"),
            Map.entry(716, "CUDA_ERROR_MISALIGNED_ADDRESS"),
            Map.entry(719, "CUDA_ERROR_LAUNCH_FAILED"),
            Map.entry(800, "CUDA_ERROR_NOT_PERMITTED"),
            Map.entry(801, "CUDA_ERROR_NOT_SUPPORTED"),
            Map.entry(802, "CUDA_ERROR_SYSTEM_NOT_READY"),
            Map.entry(803, "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH"),
            Map.entry(804, "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE"),
            Map.entry(999, "CUDA_ERROR_UNKNOWN"));

    private static final Map<Integer, String> DRIVER_DESCRIPTIONS = Map.ofEntries(
            Map.entry(1, "invalid argument"),
            Map.entry(2, "out of memory"),
            Map.entry(3, "initialization error"),
            Map.entry(100, "no CUDA-capable device is detected"),
            Map.entry(101, "invalid device ordinal"),
            Map.entry(200, "device kernel image is invalid"),
            Map.entry(201, "invalid device context"),
            Map.entry(209, "no kernel image is available for execution on the device"),
            Map.entry(218, "a PTX JIT compilation failed"),
            Map.entry(222, "the provided PTX was compiled with an unsupported toolchain."),
            Map.entry(400, "invalid resource handle"),
            Map.entry(500, "named symbol not found"),
            Map.entry(700, "an illegal memory access was encountered"),
            Map.entry(701, "too many resources requested for launch"),
            Map.entry(702, "the launch timed out and was terminated"),
            Map.entry(719, "unspecified launch failure"));

    private static final Map<Integer, String> CUBLAS_NAMES = Map.ofEntries(
            Map.entry(0, "CUBLAS_STATUS_SUCCESS"),
            Map.entry(1, "CUBLAS_STATUS_NOT_INITIALIZED"),
            Map.entry(3, "CUBLAS_STATUS_ALLOC_FAILED"),
            Map.entry(7, "CUBLAS_STATUS_INVALID_VALUE"),
            Map.entry(8, "CUBLAS_STATUS_ARCH_MISMATCH"),
            Map.entry(11, "CUBLAS_STATUS_MAPPING_ERROR"),
            Map.entry(13, "CUBLAS_STATUS_EXECUTION_FAILED"),
            Map.entry(14, "CUBLAS_STATUS_INTERNAL_ERROR"),
            Map.entry(15, "CUBLAS_STATUS_NOT_SUPPORTED"),
            Map.entry(16, "CUBLAS_STATUS_LICENSE_ERROR"));

    /** The CUresult name from the fallback table, or {@code CUDA_ERROR_<code>} for a code it lacks. */
    static String driverName(int code) {
        return DRIVER_NAMES.getOrDefault(code, "CUDA_ERROR_" + code);
    }

    /** The fallback description of a CUresult, or null. */
    static String driverDescription(int code) {
        return DRIVER_DESCRIPTIONS.get(code);
    }

    /** The cublasStatus_t name from the fallback table, or {@code CUBLAS_STATUS_<code>}. */
    static String cublasName(int code) {
        return CUBLAS_NAMES.getOrDefault(code, "CUBLAS_STATUS_" + code);
    }

    /** An exception for a failed driver call, named from the fallback tables only. */
    static CudaException driver(String call, int code) {
        return new CudaException(call, code, driverName(code), driverDescription(code));
    }

    /** An exception for a failed cuBLAS call, named from the fallback table only. */
    static CudaException cublas(String call, int code) {
        return new CudaException(call, code, cublasName(code), null);
    }
}
