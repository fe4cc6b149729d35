package dev.vavl4j.backend.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * FFM binding of cuBLAS (libcublas.so.13), the handful of calls the backend makes, with the signatures
 * of cublas_api.h: enums are int, the handle and stream are pointers, strides are {@code long long}.
 * Matrices are device pointers (passed as 64-bit values); α and β are host pointers (the default
 * pointer mode). Every cublasStatus_t is checked and turned into a {@link CudaException}.
 */
final class Cublas {
    static final int OP_N = 0, OP_T = 1;
    static final int DEFAULT_MATH = 0, PEDANTIC_MATH = 2, TF32_TENSOR_OP_MATH = 3;
    static final int CUDA_R_32F = 0;
    static final int COMPUTE_32F = 68, COMPUTE_32F_FAST_TF32 = 77;
    static final int GEMM_DEFAULT = -1;

    private static final Map<Path, Cublas> LOADED = new ConcurrentHashMap<>();
    private static final Linker LINKER = Linker.nativeLinker();

    private final MethodHandle create, destroy, setStream, setMathMode, getVersion, sgemm, gemmEx, sgemmStridedBatched;
    /** Optional (only names errors); returns {@code const char*}. */
    private final MethodHandle getStatusName;

    /** The binding of the cuBLAS at {@code path}, loaded once per JVM. */
    static Cublas load(Path path) {
        return LOADED.computeIfAbsent(path.toAbsolutePath().normalize(), Cublas::new);
    }

    private Cublas(Path path) {
        SymbolLookup lib;
        try {
            lib = SymbolLookup.libraryLookup(path, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new CudaUnavailableException("cannot load cuBLAS " + path + ": " + e.getMessage(), e);
        }
        CudaDriver.Binder b = new CudaDriver.Binder(lib, path);
        create = b.bind("cublasCreate_v2", ADDRESS);
        destroy = b.bind("cublasDestroy_v2", ADDRESS);
        setStream = b.bind("cublasSetStream_v2", ADDRESS, ADDRESS);
        setMathMode = b.bind("cublasSetMathMode", ADDRESS, JAVA_INT);
        getVersion = b.bind("cublasGetVersion_v2", ADDRESS, ADDRESS);
        // cublasSgemm_v2(handle, transa, transb, m, n, k, *alpha, A, lda, B, ldb, *beta, C, ldc)
        sgemm = b.bind("cublasSgemm_v2", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                ADDRESS, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
        // cublasGemmEx(handle, transa, transb, m, n, k, *alpha, A, Atype, lda, B, Btype, ldb, *beta, C, Ctype,
        //              ldc, computeType, algo)
        gemmEx = b.bind("cublasGemmEx", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT);
        // cublasSgemmStridedBatched(handle, transa, transb, m, n, k, *alpha, A, lda, strideA, B, ldb, strideB,
        //                           *beta, C, ldc, strideC, batchCount)
        sgemmStridedBatched = b.bind("cublasSgemmStridedBatched", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG,
                JAVA_INT, JAVA_LONG, JAVA_INT);
        getStatusName = lib.find("cublasGetStatusName")
                .map(s -> LINKER.downcallHandle(s, FunctionDescriptor.of(ADDRESS, JAVA_INT)))
                .orElse(null);
    }

    // ------------------------------------------------------------------ errors

    void check(int status, String call) {
        if (status != 0) throw error(call, status);
    }

    CudaException error(String call, int status) {
        String name = null;
        if (getStatusName != null) {
            try {
                MemorySegment p = (MemorySegment) getStatusName.invokeExact(status);
                if (!p.equals(MemorySegment.NULL)) name = p.reinterpret(256).getString(0);
            } catch (Throwable ignored) {
                // fall back to the table
            }
        }
        if (name == null || name.isBlank()) name = CudaException.cublasName(status);
        return new CudaException(call, status, name, null);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    // ------------------------------------------------------------------ handle

    MemorySegment create() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check((int) create.invokeExact(out), "cublasCreate_v2");
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void destroy(MemorySegment handle) {
        try {
            check((int) destroy.invokeExact(handle), "cublasDestroy_v2");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void setStream(MemorySegment handle, MemorySegment stream) {
        try {
            check((int) setStream.invokeExact(handle, stream), "cublasSetStream_v2");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void setMathMode(MemorySegment handle, int mode) {
        try {
            check((int) setMathMode.invokeExact(handle, mode), "cublasSetMathMode(" + mode + ")");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int version(MemorySegment handle) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            check((int) getVersion.invokeExact(handle, out), "cublasGetVersion_v2");
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ------------------------------------------------------------------ products (column-major)

    /** {@code alpha} and {@code beta} point to host floats. */
    void sgemm(MemorySegment handle, int transA, int transB, int m, int n, int k, MemorySegment alpha, long a, int lda,
               long b, int ldb, MemorySegment beta, long c, int ldc) {
        try {
            check((int) sgemm.invokeExact(handle, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc),
                    "cublasSgemm_v2");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** float32 in and out with the given compute type (e.g. {@link #COMPUTE_32F_FAST_TF32}). */
    void gemmEx(MemorySegment handle, int transA, int transB, int m, int n, int k, MemorySegment alpha, long a, int lda,
                long b, int ldb, MemorySegment beta, long c, int ldc, int computeType) {
        try {
            check((int) gemmEx.invokeExact(handle, transA, transB, m, n, k, alpha, a, CUDA_R_32F, lda, b, CUDA_R_32F,
                    ldb, beta, c, CUDA_R_32F, ldc, computeType, GEMM_DEFAULT), "cublasGemmEx");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void sgemmStridedBatched(MemorySegment handle, int transA, int transB, int m, int n, int k, MemorySegment alpha,
                             long a, int lda, long strideA, long b, int ldb, long strideB, MemorySegment beta, long c,
                             int ldc, long strideC, int batch) {
        try {
            check((int) sgemmStridedBatched.invokeExact(handle, transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb,
                    strideB, beta, c, ldc, strideC, batch), "cublasSgemmStridedBatched");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
