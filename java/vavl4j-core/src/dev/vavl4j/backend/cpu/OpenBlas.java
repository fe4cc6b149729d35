package dev.vavl4j.backend.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * OpenBLAS {@code cblas_sgemm} through {@code java.lang.foreign}, when the library is present.
 *
 * <p>Why: the pure-Java GEMM reaches about 75 GFLOP/s on two AVX-512 cores, OpenBLAS about 190, and the
 * matrix products are most of a training step. {@link CpuGemm}'s Java kernel stays the readable reference
 * and the fallback.
 *
 * <p>Which library, in order: {@code VAVL_OPENBLAS} (or the system property {@code vavl.openblas}) names a
 * file, or {@code none} to keep the Java kernel; {@code libopenblas.so.0} from the loader's usual search
 * (Debian and Ubuntu: {@code apt-get install libopenblas0-pthread}); the folder in the system property
 * {@code vavl.openblasBundled}, where the build unpacks the OpenBLAS of {@code org.bytedeco:openblas}
 * (the launcher and the tests point there, so a machine without a system OpenBLAS still gets one). A
 * library that is present but unusable (no {@code cblas_sgemm}) is an error, not a silent fallback.
 *
 * <p>Threads: OpenBLAS is told to use one thread, and {@link CpuGemm} splits each product into row or
 * column blocks over the JVM's cores itself. Left to OpenBLAS's own pool, its workers spin for a while
 * after every call and slow the parallel Java loops that run between products.
 *
 * <p>Arrays go to the native call without a copy: the handle is {@linkplain Linker.Option#critical critical}
 * with heap access, so the garbage collector holds still for the few milliseconds of a call.
 */
final class OpenBlas {
    static final String ENV = "VAVL_OPENBLAS", PROPERTY = "vavl.openblas", SONAME = "libopenblas.so.0";
    static final String BUNDLED_PROPERTY = "vavl.openblasBundled";
    /** What the bundled libopenblas.so.0 needs beside it, in load order (its RUNPATH only covers its own needs). */
    private static final String[] BUNDLED_DEPENDENCIES = {"libquadmath.so.0", "libgcc_s.so.1", "libgfortran.so.5"};
    private static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;

    /** The library, null (none present, or turned off), or the configuration error to report on use. */
    private static final Object LOADED = loadOrError();
    private static final OpenBlas INSTANCE = LOADED instanceof OpenBlas o ? o : null;

    private final MethodHandle sgemm;
    private final String origin;

    private OpenBlas(MethodHandle sgemm, String origin) {
        this.sgemm = sgemm;
        this.origin = origin;
    }

    /**
     * The loaded library, or null when none is present or it was turned off. A library that was named but
     * cannot be used (no such file, not a library, no cblas_sgemm) is a DeviceException on every
     * call, naming the setting and the file: a product must not silently run on another kernel than asked.
     */
    static OpenBlas get() {
        if (LOADED instanceof IllegalArgumentException e) throw new dev.vavl4j.DeviceException(e.getMessage(), e);
        return INSTANCE;
    }

    /** Where the library came from, or why the Java kernel is used (or what is wrong with the setting). */
    static String describe() {
        if (LOADED instanceof IllegalArgumentException e) return "unusable OpenBLAS setting: " + e.getMessage();
        return INSTANCE != null ? "OpenBLAS sgemm (" + INSTANCE.origin + ")" : "Java Vector API kernel (" + whyNot() + ")";
    }

    private static String whyNot() {
        String choice = choice();
        if ("none".equalsIgnoreCase(choice)) return setting() + "=none";
        return SONAME + " not found, nor a bundled copy (" + BUNDLED_PROPERTY + "); apt-get install libopenblas0-pthread, or set " + ENV;
    }

    private static String choice() {
        String p = System.getProperty(PROPERTY);
        if (p != null && !p.isBlank()) return p.trim();
        String e = System.getenv(ENV);
        return e == null || e.isBlank() ? null : e.trim();
    }

    /** How the user named the library, for messages: the system property if set, else the variable. */
    private static String setting() {
        String p = System.getProperty(PROPERTY);
        return p != null && !p.isBlank() ? "-D" + PROPERTY : ENV;
    }

    private static Object loadOrError() {
        try {
            return load();
        } catch (IllegalArgumentException e) {
            return e;
        }
    }

    /** dlopen of a file that is not a shared object makes the JVM print warnings before it fails: check first. */
    private static void requireElf(Path file, String what) {
        byte[] head = new byte[4];
        try (var in = Files.newInputStream(file)) {
            if (in.readNBytes(head, 0, 4) == 4 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F') return;
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(what + ": cannot read it (" + e.getMessage() + ")");
        }
        throw new IllegalArgumentException(what + ": not a shared library (no ELF header)");
    }

    /** The bundled library's folder, when the property names one that holds it. */
    private static Path bundledDir() {
        String p = System.getProperty(BUNDLED_PROPERTY);
        if (p == null || p.isBlank()) return null;
        Path dir = Path.of(p.trim());
        return Files.isRegularFile(dir.resolve(SONAME)) ? dir : null;
    }

    private static OpenBlas load() {
        String choice = choice();
        if ("none".equalsIgnoreCase(choice)) return null;
        SymbolLookup lib;
        String origin;
        if (choice != null) {
            String what = setting() + "=" + choice;
            if (!Files.isRegularFile(Path.of(choice))) {
                throw new IllegalArgumentException(what + ": no such file (name a libopenblas.so.0, or 'none' for the Java kernel)");
            }
            requireElf(Path.of(choice), what);
            try {
                lib = SymbolLookup.libraryLookup(Path.of(choice), Arena.global());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(what + ": cannot be loaded (" + e.getMessage() + ")", e);
            }
            return bind(lib, choice, what);
        } else {
            try {
                lib = SymbolLookup.libraryLookup(SONAME, Arena.global());
                origin = SONAME;
            } catch (IllegalArgumentException notFound) {
                Path dir = bundledDir();
                if (dir == null) return null;
                for (String dep : BUNDLED_DEPENDENCIES) {
                    if (Files.isRegularFile(dir.resolve(dep))) SymbolLookup.libraryLookup(dir.resolve(dep), Arena.global());
                }
                lib = SymbolLookup.libraryLookup(dir.resolve(SONAME), Arena.global());
                origin = dir.resolve(SONAME) + ", bundled";
            }
        }
        return bind(lib, origin, origin);
    }

    /** {@code label} names the library in errors (with the setting that chose it, when one did). */
    private static OpenBlas bind(SymbolLookup lib, String origin, String label) {
        Linker linker = Linker.nativeLinker();
        MemorySegment gemm = lib.find("cblas_sgemm").orElseThrow(
                () -> new IllegalArgumentException(label + " has no cblas_sgemm: not an OpenBLAS library"));
        ValueLayout.OfInt i = ValueLayout.JAVA_INT;
        ValueLayout.OfFloat f = ValueLayout.JAVA_FLOAT;
        MethodHandle sgemm = linker.downcallHandle(gemm,
                FunctionDescriptor.ofVoid(i, i, i, i, i, i, f, ValueLayout.ADDRESS, i, ValueLayout.ADDRESS, i, f,
                        ValueLayout.ADDRESS, i),
                Linker.Option.critical(true));
        lib.find("openblas_set_num_threads").ifPresent(sym -> {
            try {
                linker.downcallHandle(sym, FunctionDescriptor.ofVoid(i)).invokeExact(1);
            } catch (Throwable t) {
                throw new IllegalStateException(origin + ": openblas_set_num_threads failed", t);
            }
        });
        return new OpenBlas(sgemm, origin);
    }

    /**
     * Row-major {@code C[cOff..] ← alpha·op(A)·op(B) + beta·C} on one thread, with explicit leading
     * dimensions so a caller can hand over a block of rows or columns of larger matrices.
     */
    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
               float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        try {
            sgemm.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha,
                    slice(a, aOff), lda, slice(b, bOff), ldb, beta, slice(c, cOff), ldc);
        } catch (Throwable t) {
            throw new IllegalStateException("cblas_sgemm failed", t);
        }
    }

    private static MemorySegment slice(float[] x, int off) {
        MemorySegment s = MemorySegment.ofArray(x);
        return off == 0 ? s : s.asSlice(4L * off);
    }
}
