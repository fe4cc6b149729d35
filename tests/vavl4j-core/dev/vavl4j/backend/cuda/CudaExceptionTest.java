package dev.vavl4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Error names and messages from the fallback tables (no CUDA library needed). */
class CudaExceptionTest {
    @Test
    void driverNamesMatchCudaH() {
        assertEquals("CUDA_SUCCESS", CudaException.driverName(0));
        assertEquals("CUDA_ERROR_INVALID_VALUE", CudaException.driverName(1));
        assertEquals("CUDA_ERROR_OUT_OF_MEMORY", CudaException.driverName(2));
        assertEquals("CUDA_ERROR_NO_DEVICE", CudaException.driverName(100));
        assertEquals("CUDA_ERROR_NO_BINARY_FOR_GPU", CudaException.driverName(209));
        assertEquals("CUDA_ERROR_UNSUPPORTED_PTX_VERSION", CudaException.driverName(222));
        assertEquals("CUDA_ERROR_NOT_FOUND", CudaException.driverName(500));
        assertEquals("CUDA_ERROR_ILLEGAL_ADDRESS", CudaException.driverName(700));
        assertEquals("CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES", CudaException.driverName(701));
        assertEquals("CUDA_ERROR_LAUNCH_FAILED", CudaException.driverName(719));
        assertEquals("CUDA_ERROR_4242", CudaException.driverName(4242));
    }

    @Test
    void cublasNamesMatchCublasApiH() {
        assertEquals("CUBLAS_STATUS_SUCCESS", CudaException.cublasName(0));
        assertEquals("CUBLAS_STATUS_NOT_INITIALIZED", CudaException.cublasName(1));
        assertEquals("CUBLAS_STATUS_ALLOC_FAILED", CudaException.cublasName(3));
        assertEquals("CUBLAS_STATUS_INVALID_VALUE", CudaException.cublasName(7));
        assertEquals("CUBLAS_STATUS_ARCH_MISMATCH", CudaException.cublasName(8));
        assertEquals("CUBLAS_STATUS_EXECUTION_FAILED", CudaException.cublasName(13));
        assertEquals("CUBLAS_STATUS_NOT_SUPPORTED", CudaException.cublasName(15));
        assertEquals("CUBLAS_STATUS_99", CudaException.cublasName(99));
    }

    @Test
    void driverMessageNamesCallErrorAndDescription() {
        CudaException e = CudaException.driver("cuLaunchKernel(vavl_layer_norm_fwd)", 700);
        assertEquals("cuLaunchKernel(vavl_layer_norm_fwd) failed: CUDA_ERROR_ILLEGAL_ADDRESS (700): "
                + "an illegal memory access was encountered", e.getMessage());
        assertEquals("cuLaunchKernel(vavl_layer_norm_fwd)", e.call());
        assertEquals(700, e.code());
        assertEquals("CUDA_ERROR_ILLEGAL_ADDRESS", e.errorName());
    }

    @Test
    void cublasMessageHasNoDescription() {
        CudaException e = CudaException.cublas("cublasSgemm_v2", 7);
        assertEquals("cublasSgemm_v2 failed: CUBLAS_STATUS_INVALID_VALUE (7)", e.getMessage());
        assertEquals(7, e.code());
    }

    @Test
    void unknownDriverCodeHasNameButNoDescription() {
        assertEquals("cuInit failed: CUDA_ERROR_12345 (12345)", CudaException.driver("cuInit", 12345).getMessage());
    }
}
