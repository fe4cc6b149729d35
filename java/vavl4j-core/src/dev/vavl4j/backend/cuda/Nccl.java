package dev.vavl4j.backend.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.File;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * FFM binding of NCCL ({@code libnccl.so.2}, which the environment supplies: the CUDA toolkit's or NVIDIA's
 * {@code nvidia-nccl-cu13} wheel), for data-parallel training ({@code docs/distributed.md}). One downcall
 * handle per symbol, with the C signatures of nccl.h: {@code ncclComm_t} and {@code cudaStream_t} are
 * pointers, {@code size_t} 64-bit, the enums int, and {@code ncclUniqueId} a 128-byte struct that
 * {@code ncclCommInitRank} takes <b>by value</b> ({@link #UNIQUE_ID}). Every wrapper checks the
 * ncclResult_t and throws an {@link NcclException} naming the call and the error.
 *
 * <p><b>Where it is found</b>, in this order: {@code VAVL_LIBNCCL} (a file; JVM property {@code vavl.libnccl}
 * wins over it), {@code VAVL_CUDA_LIB_DIR} (as for {@link CudaLibraries}), the CUDA and system folders
 * {@link CudaLibraries} searches, each folder of {@code LD_LIBRARY_PATH}, and {@code nvidia/nccl/lib} in the
 * Python package folders it searches. Absent, it is one {@link CudaUnavailableException} line saying where
 * it looked and which variable to set. The library stays loaded for the life of the JVM.
 */
public final class Nccl {
    static final String LIBRARY = "libnccl.so.2";
    static final String ENV = "VAVL_LIBNCCL";

    /** {@code ncclUniqueId}: {@code struct { char internal[128]; }}. */
    public static final StructLayout UNIQUE_ID = MemoryLayout.structLayout(MemoryLayout.sequenceLayout(128, JAVA_BYTE).withName("internal"))
            .withName("ncclUniqueId");
    /** {@code NCCL_UNIQUE_ID_BYTES}. */
    public static final int UNIQUE_ID_BYTES = 128;

    /** ncclResult_t values a caller checks for. */
    public static final int SUCCESS = 0, IN_PROGRESS = 7;
    /** ncclDataType_t values. */
    public static final int FLOAT32 = 7, FLOAT16 = 6, BFLOAT16 = 9, FLOAT64 = 8;
    /** ncclRedOp_t values. */
    public static final int SUM = 0, PROD = 1, MAX = 2, MIN = 3, AVG = 4;

    private static final Map<Path, Nccl> LOADED = new ConcurrentHashMap<>();
    private static final Linker LINKER = Linker.nativeLinker();

    private final Path path;
    private final MethodHandle ncclGetVersion, ncclGetUniqueId, ncclCommInitRank, ncclAllReduce, ncclGroupStart, ncclGroupEnd,
            ncclCommFinalize, ncclCommDestroy, ncclCommAbort, ncclCommGetAsyncError, ncclGetErrorString;

    /** The NCCL the documented search finds, loaded once per JVM. */
    public static Nccl load() {
        return load(locate());
    }

    /** The NCCL at {@code path}, loaded once per JVM. */
    public static Nccl load(Path path) {
        return LOADED.computeIfAbsent(path.toAbsolutePath().normalize(), Nccl::new);
    }

    private Nccl(Path path) {
        this.path = path;
        SymbolLookup lib;
        try {
            lib = SymbolLookup.libraryLookup(path, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new CudaUnavailableException("cannot load NCCL " + path + ": " + oneLine(e.getMessage()), e);
        }
        CudaDriver.Binder b = new CudaDriver.Binder(lib, path);
        ncclGetVersion = b.bind("ncclGetVersion", ADDRESS);
        ncclGetUniqueId = b.bind("ncclGetUniqueId", ADDRESS);
        ncclCommInitRank = b.bind("ncclCommInitRank", ADDRESS, JAVA_INT, UNIQUE_ID, JAVA_INT);
        ncclAllReduce = b.bind("ncclAllReduce", ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
        ncclGroupStart = b.bind("ncclGroupStart");
        ncclGroupEnd = b.bind("ncclGroupEnd");
        ncclCommFinalize = b.bind("ncclCommFinalize", ADDRESS);
        ncclCommDestroy = b.bind("ncclCommDestroy", ADDRESS);
        ncclCommAbort = b.bind("ncclCommAbort", ADDRESS);
        ncclCommGetAsyncError = b.bind("ncclCommGetAsyncError", ADDRESS, ADDRESS);
        // const char* ncclGetErrorString(ncclResult_t): the one symbol that returns no status
        ncclGetErrorString = lib.find("ncclGetErrorString")
                .map(s -> LINKER.downcallHandle(s, FunctionDescriptor.of(ADDRESS, JAVA_INT))).orElse(null);
    }

    /** The library this binding loaded. */
    public Path path() {
        return path;
    }

    // ------------------------------------------------------------------ lookup

    /** Finds libnccl.so.2 in the documented order, or throws one {@link CudaUnavailableException} line. */
    public static Path locate() {
        Map<String, String> env = new HashMap<>(System.getenv());
        String prop = System.getProperty("vavl.libnccl");
        if (prop != null && !prop.isBlank()) env.put(ENV, prop);
        String dir = System.getProperty("vavl.cudaLibDir");
        if (dir != null && !dir.isBlank()) env.put(CudaLibraries.ENV_DIR, dir);
        return locate(env, CudaLibraries.defaultPythonRoots(env), CudaLibraries.defaultSystemDirs());
    }

    /** The search itself, a pure function of the environment and the folders to look in (tests use temporary ones). */
    static Path locate(Map<String, String> env, List<Path> pythonRoots, List<Path> systemDirs) {
        String override = blankToNull(env.get(ENV));
        if (override != null) {
            Path p = Path.of(override);
            if (!Files.isRegularFile(p)) throw new CudaUnavailableException(ENV + "=" + override + ": no such file");
            return p;
        }
        List<Path> dirs = new ArrayList<>();
        List<String> where = new ArrayList<>();
        String libDir = blankToNull(env.get(CudaLibraries.ENV_DIR));
        if (libDir != null) {
            dirs.add(Path.of(libDir));
            where.add(CudaLibraries.ENV_DIR);
        }
        dirs.addAll(systemDirs);
        for (Path d : systemDirs) where.add(d.toString());
        int ld = 0;
        String ldPath = blankToNull(env.get("LD_LIBRARY_PATH"));
        if (ldPath != null) {
            for (String s : ldPath.split(File.pathSeparator)) {
                if (s.isBlank()) continue;
                dirs.add(Path.of(s));
                ld++;
            }
        }
        where.add("LD_LIBRARY_PATH (" + ld + (ld == 1 ? " dir)" : " dirs)"));
        for (Path root : pythonRoots) {
            for (Path py : CudaLibraries.pythonLibDirs(List.of(root))) {
                // pythonLibDirs gives .../nvidia/cu13/lib and .../nvidia/cublas/lib; NCCL's wheel is nvidia/nccl/lib
                Path nvidia = py.getParent().getParent();
                dirs.add(nvidia.resolve("nccl").resolve("lib"));
                dirs.add(py);
            }
            where.add(root + "/python3*/{dist,site}-packages/nvidia/{nccl,cu13}/lib");
        }
        for (Path d : dirs) {
            Path p = d.resolve(LIBRARY);
            if (Files.isRegularFile(p)) return p;
        }
        throw new CudaUnavailableException(LIBRARY + " not found (looked in " + String.join(", ", where) + "); set " + ENV + "=/path/" + LIBRARY
                + " (multi-GPU training needs NCCL: the CUDA toolkit's, or pip install nvidia-nccl-cu13)");
    }

    // ------------------------------------------------------------------ errors

    private void check(int rc, String call) {
        if (rc != SUCCESS) throw new NcclException(call, rc, errorString(rc));
    }

    /** NCCL's description of a status, or null when the library cannot give one. */
    public String errorString(int rc) {
        if (ncclGetErrorString == null) return null;
        try {
            MemorySegment p = (MemorySegment) ncclGetErrorString.invokeExact(rc);
            return p.equals(MemorySegment.NULL) ? null : p.reinterpret(4096).getString(0);
        } catch (Throwable t) {
            return null;
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    // ------------------------------------------------------------------ calls

    /** {@code ncclGetVersion}: e.g. 22703 for 2.27.3. */
    public int version() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            check((int) ncclGetVersion.invokeExact(out), "ncclGetVersion");
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code ncclGetUniqueId}: rank 0 makes it and hands the 128 bytes to every other rank (through the
     * launcher's store, or a Spark barrier task's {@code allGather}) before they all call {@link #commInitRank}.
     */
    public byte[] uniqueId() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment id = a.allocate(UNIQUE_ID);
            check((int) ncclGetUniqueId.invokeExact(id), "ncclGetUniqueId");
            return id.toArray(JAVA_BYTE);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code ncclCommInitRank(&comm, nranks, id, rank)}, the id passed by value; on the CUDA device current on
     * this thread. Blocks until all {@code nranks} ranks have called it. The communicator stays the caller's:
     * {@link #commFinalize} then {@link #commDestroy}, or {@link #commAbort} after an error.
     */
    public MemorySegment commInitRank(int nranks, byte[] uniqueId, int rank) {
        if (uniqueId.length != UNIQUE_ID_BYTES) throw new IllegalArgumentException("an ncclUniqueId has 128 bytes, got " + uniqueId.length);
        if (nranks < 1 || rank < 0 || rank >= nranks) throw new IllegalArgumentException("rank " + rank + " of " + nranks);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            MemorySegment id = a.allocate(UNIQUE_ID);
            MemorySegment.copy(uniqueId, 0, id, JAVA_BYTE, 0, UNIQUE_ID_BYTES);
            check((int) ncclCommInitRank.invokeExact(out, nranks, id, rank), "ncclCommInitRank");
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code ncclAllReduce(send, recv, count, datatype, op, comm, stream)} on device pointers (in place when
     * send == recv); enqueued on {@code stream} (NULL: the legacy default stream), so it returns before the
     * reduction is done.
     */
    public void allReduce(long send, long recv, long count, int datatype, int op, MemorySegment comm, MemorySegment stream) {
        try {
            check((int) ncclAllReduce.invokeExact(MemorySegment.ofAddress(send), MemorySegment.ofAddress(recv), count, datatype, op, comm, stream),
                    "ncclAllReduce");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code ncclGroupStart}: the collectives up to {@link #groupEnd} are launched together (one per bucket). */
    public void groupStart() {
        try {
            check((int) ncclGroupStart.invokeExact(), "ncclGroupStart");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void groupEnd() {
        try {
            check((int) ncclGroupEnd.invokeExact(), "ncclGroupEnd");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code ncclCommFinalize}: flushes the communicator's outstanding work; then {@link #commDestroy}. */
    public void commFinalize(MemorySegment comm) {
        try {
            check((int) ncclCommFinalize.invokeExact(comm), "ncclCommFinalize");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void commDestroy(MemorySegment comm) {
        try {
            check((int) ncclCommDestroy.invokeExact(comm), "ncclCommDestroy");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code ncclCommAbort}: frees the communicator without waiting, after an error or a lost peer. */
    public void commAbort(MemorySegment comm) {
        try {
            check((int) ncclCommAbort.invokeExact(comm), "ncclCommAbort");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code ncclCommGetAsyncError}: the communicator's asynchronous status ({@link #SUCCESS},
     * {@link #IN_PROGRESS} while a non-blocking init runs, or an error: then abort it). A training loop polls
     * it while waiting on a collective, so a dead peer ends the run instead of hanging it.
     */
    public int commGetAsyncError(MemorySegment comm) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            check((int) ncclCommGetAsyncError.invokeExact(comm, out), "ncclCommGetAsyncError");
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ');
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
