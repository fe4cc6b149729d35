package dev.vavl4j.backend.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One GPU as the backend uses it: the driver's primary context made current, the kernel module loaded
 * from the embedded fatbin, a cuBLAS handle, all work on one in-order stream. Every driver and cuBLAS
 * status is checked and turned into a {@link CudaException} naming the call and the error.
 *
 * <p>Stream: a stream of our own (flags 0), not the NULL stream, so that kernels, copies and cuBLAS share
 * exactly one queue that we name everywhere; flags 0 keeps it ordered with the legacy default stream too,
 * so code outside the backend that uses the NULL stream cannot race it.
 *
 * <p>Threads: every public entry point holds this object's monitor (the native scratch buffers below are
 * shared) and makes the context current on the calling thread the first time that thread uses this device.
 */
final class CudaDevice implements AutoCloseable {
    private static final int ATTR_MULTIPROCESSOR_COUNT = 16, ATTR_CC_MAJOR = 75, ATTR_CC_MINOR = 76,
            ATTR_MAX_SHARED_PER_BLOCK_OPTIN = 97;
    private static final int FUNC_ATTR_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8;
    /** Dynamic shared memory a kernel gets without opting in. */
    private static final int DEFAULT_SHARED_LIMIT = 48 * 1024;
    private static final int MAX_ARGS = 64;
    /** Host copies up to this size go through one reusable native buffer; larger ones get their own. */
    private static final long STAGING_BYTES = 1 << 20;
    private static final int CUDA_ERROR_NO_DEVICE = 100;
    /** The device whose context this thread made current last (the driver keeps one per thread). */
    private static final ThreadLocal<CudaDevice> CURRENT = new ThreadLocal<>();

    private final CudaDriver cu;
    private final Cublas blas;
    private final int device;
    private final MemorySegment context;
    private final String description;
    private final Arena arena = Arena.ofShared();
    /** Kernel arguments: slot i holds argument i's value, {@code argPointers[i]} points at slot i. */
    private final MemorySegment argValues, argPointers;
    /** α and β for cuBLAS (host pointer mode: read during the call). */
    private final MemorySegment scalars;
    private final MemorySegment staging;
    private final Map<String, Kernel> kernels = new HashMap<>();
    /** The C signatures every launch is checked against. */
    private final KernelSignatures signatures = KernelSignatures.embedded();
    private MemorySegment stream = MemorySegment.NULL, module = MemorySegment.NULL, handle = MemorySegment.NULL;
    private boolean contextRetained, tf32, closed;

    /** A loaded kernel and the dynamic shared memory it was last allowed (0: the default 48 KiB). */
    private static final class Kernel {
        final MemorySegment function;
        int sharedAllowed;

        Kernel(MemorySegment function) {
            this.function = function;
        }
    }

    /** Opens device {@code ordinal} with the driver and cuBLAS found at {@code libs}. */
    static CudaDevice open(CudaLibraries.Locations libs, int ordinal) {
        CudaDriver cu = CudaDriver.load(libs.cuda());
        int rc = cu.initStatus(0);
        if (rc == CUDA_ERROR_NO_DEVICE) throw new CudaUnavailableException("no CUDA device (cuInit: CUDA_ERROR_NO_DEVICE)");
        if (rc != 0) {
            CudaException e = cu.error("cuInit", rc);
            throw new CudaUnavailableException("the CUDA driver " + libs.cuda() + " cannot start: " + e.getMessage(), e);
        }
        int count = cu.deviceCount();
        if (count == 0) throw new CudaUnavailableException("no CUDA device");
        if (ordinal < 0 || ordinal >= count) {
            throw new CudaUnavailableException("no CUDA device " + ordinal + " (" + count + " present)");
        }
        int version = cu.driverVersion();
        if (version < 13000) {
            throw new CudaUnavailableException("the NVIDIA driver supports CUDA " + version / 1000 + "." + version % 1000 / 10
                    + "; vavl4j needs CUDA 13 (driver 580 or newer)");
        }
        return new CudaDevice(cu, Cublas.load(libs.cublas()), cu.deviceGet(ordinal));
    }

    private CudaDevice(CudaDriver cu, Cublas blas, int device) {
        this.cu = cu;
        this.blas = blas;
        this.device = device;
        argValues = arena.allocate(8L * MAX_ARGS, 8);
        argPointers = arena.allocate(ADDRESS, MAX_ARGS);
        for (int i = 0; i < MAX_ARGS; i++) argPointers.setAtIndex(ADDRESS, i, argValues.asSlice(8L * i, 8));
        scalars = arena.allocate(8, 8);
        staging = arena.allocate(STAGING_BYTES, 64);
        MemorySegment ctx = MemorySegment.NULL;
        try {
            ctx = cu.primaryCtxRetain(device);
            contextRetained = true;
            cu.ctxSetCurrent(ctx);
            CURRENT.set(this);
            String name = cu.deviceName(device);
            int major = cu.deviceAttribute(ATTR_CC_MAJOR, device), minor = cu.deviceAttribute(ATTR_CC_MINOR, device);
            long total = cu.deviceTotalMem(device);
            description = String.format(Locale.ROOT, "%s (sm_%d%d, %.1f GiB)", name, major, minor, total / (double) (1L << 30));
            stream = cu.streamCreate(0);
            module = loadModule(name, major, minor);
            handle = blas.create();
            blas.setStream(handle, stream);
            blas.setMathMode(handle, Cublas.DEFAULT_MATH);
        } catch (RuntimeException e) {
            this.context = ctx;
            CURRENT.remove();
            try {
                release();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            arena.close();
            throw e;
        }
        this.context = ctx;
    }

    /** Loads the embedded fatbin; an image this GPU cannot run becomes a message naming both. */
    private MemorySegment loadModule(String gpu, int major, int minor) {
        FatbinImage image = FatbinImage.embedded();
        try (Arena a = Arena.ofConfined()) {
            byte[] bytes = image.bytesShared();
            MemorySegment native_ = a.allocate(bytes.length, 64);
            MemorySegment.copy(bytes, 0, native_, JAVA_BYTE, 0, bytes.length);
            MemorySegment out = a.allocate(ADDRESS);
            int rc = cu.moduleLoadData(out, native_);
            if (rc == 200 || rc == 209 || rc == 218 || rc == 222) { // INVALID_IMAGE, NO_BINARY_FOR_GPU, PTX errors
                CudaException e = cu.error("cuModuleLoadData", rc);
                throw new CudaUnavailableException(gpu + " (sm_" + major + minor + ") cannot run the embedded kernels "
                        + image.entries() + ": " + e.getMessage(), e);
            }
            cu.check(rc, "cuModuleLoadData");
            return out.get(ADDRESS, 0);
        }
    }

    /** e.g. "NVIDIA H100 80GB HBM3 (sm_90, 79.1 GiB)". */
    String description() {
        return description;
    }

    /** The number of streaming multiprocessors, for sizing grids. */
    synchronized int multiprocessors() {
        enter();
        return cu.deviceAttribute(ATTR_MULTIPROCESSOR_COUNT, device);
    }

    /** The most dynamic shared memory a block may opt into. */
    synchronized int maxSharedPerBlock() {
        enter();
        return cu.deviceAttribute(ATTR_MAX_SHARED_PER_BLOCK_OPTIN, device);
    }

    /** Checks the device is open and its context current on this thread; callers hold the monitor. */
    private void enter() {
        if (closed) throw new IllegalStateException("the CUDA device has been closed");
        if (CURRENT.get() != this) {
            cu.ctxSetCurrent(context);
            CURRENT.set(this);
        }
    }

    // ------------------------------------------------------------------ memory

    /** cuMemAlloc; used only by {@link DeviceMemory}. */
    synchronized long allocate(long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException("allocation of " + bytes + " bytes");
        enter();
        return cu.memAlloc(bytes);
    }

    /** cuMemFree; used only by {@link DeviceMemory}. */
    synchronized void free(long address) {
        enter();
        cu.memFree(address);
    }

    /** Zeroes {@code bytes} at {@code address}, ordered on the stream. */
    synchronized void zero(long address, long bytes) {
        enter();
        if (bytes == 0) return;
        // Word-wise when aligned: the memset of 32-bit values is the faster path on the GPU.
        if ((address & 3) == 0 && (bytes & 3) == 0) cu.memsetD32Async(address, 0, bytes >>> 2, stream);
        else cu.memsetD8Async(address, (byte) 0, bytes, stream);
    }

    /** Host → device copy of {@code src.length} floats, ordered on the stream. */
    synchronized void upload(float[] src, long dst) {
        upload(4L * src.length, staged -> MemorySegment.copy(src, 0, staged, JAVA_FLOAT, 0, src.length), dst);
    }

    /** Host → device copy of {@code src.length} ints, ordered on the stream. */
    synchronized void upload(int[] src, long dst) {
        upload(4L * src.length, staged -> MemorySegment.copy(src, 0, staged, JAVA_INT, 0, src.length), dst);
    }

    /** Copies {@code bytes} that {@code fill} writes into native memory to {@code dst}; callers hold the monitor. */
    private void upload(long bytes, Consumer<MemorySegment> fill, long dst) {
        enter();
        if (bytes == 0) return;
        // From pageable host memory the driver has consumed the source when the call returns, so the
        // staging buffer (or the arena) may be reused (or freed) right after.
        if (bytes <= STAGING_BYTES) {
            fill.accept(staging);
            cu.memcpyHtoDAsync(dst, staging, bytes, stream);
        } else {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment s = a.allocate(bytes, 64);
                fill.accept(s);
                cu.memcpyHtoDAsync(dst, s, bytes, stream);
            }
        }
    }

    /** Device → host copy of {@code dst.length} floats; waits for the stream first. */
    synchronized void download(long src, float[] dst) {
        enter();
        long bytes = 4L * dst.length;
        if (bytes == 0) {
            cu.streamSynchronize(stream);
            return;
        }
        if (bytes <= STAGING_BYTES) {
            cu.memcpyDtoHAsync(staging, src, bytes, stream);
            cu.streamSynchronize(stream);
            MemorySegment.copy(staging, JAVA_FLOAT, 0, dst, 0, dst.length);
        } else {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment s = a.allocate(bytes, 64);
                cu.memcpyDtoHAsync(s, src, bytes, stream);
                cu.streamSynchronize(stream);
                MemorySegment.copy(s, JAVA_FLOAT, 0, dst, 0, dst.length);
            }
        }
    }

    /** Device → device copy, ordered on the stream. */
    synchronized void copy(long src, long dst, long bytes) {
        enter();
        if (bytes == 0) return;
        cu.memcpyDtoDAsync(dst, src, bytes, stream);
    }

    // ------------------------------------------------------------------ kernels

    /**
     * Launches kernel {@code name} of the embedded module on the stream with a 3-D grid, a 1-D block of
     * {@code blockX} threads and {@code sharedBytes} of dynamic shared memory. Arguments in the
     * kernel's order: a {@link DevicePointer} (tensor, mask) or a {@code Long} is passed as a 64-bit
     * pointer, an {@code Integer} as int32, a {@code Float} as float32. Anything else is an error.
     *
     * <p>The arguments are checked against the kernel's C signature ({@link KernelSignatures}, written from
     * {@code cuda/*.cu}): their count, a tensor, mask or {@code Long} for a pointer, an {@code Integer} for an
     * int, a {@code Long} for a 64-bit integer, a {@code Float} for a float. A mismatch throws an
     * {@link IllegalStateException} naming the kernel, the argument, the C type and the Java type given,
     * before anything is queued.
     */
    synchronized void launch(String name, int gridX, int gridY, int gridZ, int blockX, int sharedBytes, Object... args) {
        if (gridX <= 0 || gridY <= 0 || gridZ <= 0 || blockX <= 0 || sharedBytes < 0) {
            throw new IllegalArgumentException(name + ": grid " + gridX + "x" + gridY + "x" + gridZ + ", block " + blockX
                    + ", shared " + sharedBytes + " bytes: dimensions must be positive");
        }
        if (args.length > MAX_ARGS) throw new IllegalArgumentException(name + ": more than " + MAX_ARGS + " arguments");
        enter();
        // Marshal first: a bad argument must fail before anything is queued.
        for (int i = 0; i < args.length; i++) {
            long off = 8L * i;
            switch (args[i]) {
                case DevicePointer p -> argValues.set(JAVA_LONG, off, p.address());
                case Long v -> argValues.set(JAVA_LONG, off, v);
                case Integer v -> argValues.set(JAVA_INT, off, v);
                case Float v -> argValues.set(JAVA_FLOAT, off, v);
                case null -> throw new IllegalArgumentException(name + ": argument " + i + " is null");
                default -> throw new IllegalArgumentException(name + ": argument " + i + " has unsupported type "
                        + args[i].getClass().getSimpleName() + " (a tensor, mask, Long, Integer or Float)");
            }
        }
        KernelSignatures.Signature signature = signatures.get(name);
        if (signature == null) {
            kernel(name); // not in the module either: the driver's CUDA_ERROR_NOT_FOUND names it
            throw new IllegalStateException(name + " is in the kernel module but not in " + KernelSignatures.RESOURCE
                    + ", which is stale: run native-build/kernel-signatures.sh");
        }
        signature.check(args);
        Kernel k = kernel(name);
        if (sharedBytes > DEFAULT_SHARED_LIMIT && sharedBytes > k.sharedAllowed) {
            cu.funcSetAttribute(k.function, FUNC_ATTR_MAX_DYNAMIC_SHARED_SIZE_BYTES, sharedBytes, name);
            k.sharedAllowed = sharedBytes;
        }
        int rc = cu.launchKernel(k.function, gridX, gridY, gridZ, blockX, 1, 1, sharedBytes, stream, argPointers);
        if (rc != 0) throw cu.error("cuLaunchKernel(" + name + ")", rc);
    }

    private Kernel kernel(String name) {
        Kernel k = kernels.get(name);
        if (k == null) {
            k = new Kernel(cu.moduleGetFunction(module, name));
            kernels.put(name, k);
        }
        return k;
    }

    // ------------------------------------------------------------------ cuBLAS (column-major, as cuBLAS)

    /** cublasSgemm (or cublasGemmEx with TF32 compute when {@link #setTf32} is on): C ← α·op(A)·op(B) + β·C. */
    synchronized void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, long a, int lda, long b, int ldb,
                            float beta, long c, int ldc) {
        enter();
        scalars.set(JAVA_FLOAT, 0, alpha);
        scalars.set(JAVA_FLOAT, 4, beta);
        MemorySegment pa = scalars.asSlice(0, 4), pb = scalars.asSlice(4, 4);
        int ta = transA ? Cublas.OP_T : Cublas.OP_N, tb = transB ? Cublas.OP_T : Cublas.OP_N;
        if (tf32) blas.gemmEx(handle, ta, tb, m, n, k, pa, a, lda, b, ldb, pb, c, ldc, Cublas.COMPUTE_32F_FAST_TF32);
        else blas.sgemm(handle, ta, tb, m, n, k, pa, a, lda, b, ldb, pb, c, ldc);
    }

    /** cublasSgemmStridedBatched (TF32 through the handle's math mode when {@link #setTf32} is on). */
    synchronized void sgemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, float alpha, long a, int lda,
                                          long strideA, long b, int ldb, long strideB, float beta, long c, int ldc,
                                          long strideC, int batch) {
        enter();
        scalars.set(JAVA_FLOAT, 0, alpha);
        scalars.set(JAVA_FLOAT, 4, beta);
        blas.sgemmStridedBatched(handle, transA ? Cublas.OP_T : Cublas.OP_N, transB ? Cublas.OP_T : Cublas.OP_N, m, n, k,
                scalars.asSlice(0, 4), a, lda, strideA, b, ldb, strideB, scalars.asSlice(4, 4), c, ldc, strideC, batch);
    }

    /** Chooses TF32 tensor-core math for the matrix products (off: exact float32, the default). */
    synchronized void setTf32(boolean on) {
        enter();
        blas.setMathMode(handle, on ? Cublas.TF32_TENSOR_OP_MATH : Cublas.DEFAULT_MATH);
        tf32 = on;
    }

    synchronized boolean tf32() {
        return tf32;
    }

    // ------------------------------------------------------------------ sync and timing

    /** Waits until all work on the stream has finished (and surfaces any asynchronous kernel error). */
    synchronized void synchronize() {
        enter();
        cu.streamSynchronize(stream);
    }

    /**
     * Milliseconds of device time taken by {@code work}, measured with a pair of events on the stream.
     * The monitor is not held while {@code work} runs (it may hand work to other threads), so work other
     * threads queue meanwhile is counted too.
     */
    float time(Runnable work) {
        MemorySegment start, end;
        synchronized (this) {
            enter();
            start = cu.eventCreate(0);
            try {
                end = cu.eventCreate(0);
            } catch (RuntimeException e) {
                cu.eventDestroy(start);
                throw e;
            }
        }
        try {
            synchronized (this) {
                enter();
                cu.eventRecord(start, stream);
            }
            work.run();
            synchronized (this) {
                enter();
                cu.eventRecord(end, stream);
                cu.eventSynchronize(end);
                return cu.eventElapsedTime(start, end);
            }
        } finally {
            synchronized (this) {
                if (!closed) {
                    cu.eventDestroy(start);
                    cu.eventDestroy(end);
                }
            }
        }
    }

    /** Releases cuBLAS, the module, the stream and the context; a second call does nothing. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            try {
                cu.ctxSetCurrent(context);
            } catch (RuntimeException e) {
                // still try the releases below: their own errors say what is wrong
            }
            release();
        } finally {
            CURRENT.remove();
            arena.close();
        }
    }

    /** Tears down whatever was created, each step even when an earlier one failed; throws the first failure. */
    private void release() {
        RuntimeException first = null;
        List<Runnable> steps = List.of(
                () -> {
                    if (!handle.equals(MemorySegment.NULL)) blas.destroy(handle);
                },
                () -> {
                    if (!module.equals(MemorySegment.NULL)) cu.moduleUnload(module);
                },
                () -> {
                    if (!stream.equals(MemorySegment.NULL)) cu.streamDestroy(stream);
                },
                () -> {
                    if (contextRetained) cu.primaryCtxRelease(device);
                });
        for (Runnable step : steps) {
            try {
                step.run();
            } catch (RuntimeException e) {
                if (first == null) first = e;
                else first.addSuppressed(e);
            }
        }
        handle = module = stream = MemorySegment.NULL;
        contextRetained = false;
        kernels.clear();
        if (first != null) throw first;
    }
}
