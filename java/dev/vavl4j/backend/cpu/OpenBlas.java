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

    private static final OpenBlas INSTANCE = load();

    private final MethodHandle sgemm;
    private final String origin;

    private OpenBlas(MethodHandle sgemm, String origin) {
        this.sgemm = sgemm;
        this.origin = origin;
    }

    /** The loaded library, or null when none is present or it was turned off. */
    static OpenBlas get() {
        return INSTANCE;
    }

    /** Where the library came from, or why the Java kernel is used. */
    static String describe() {
        return INSTANCE != null ? "OpenBLAS sgemm (" + INSTANCE.origin + ")" : "Java Vector API kernel (" + whyNot() + ")";
    }

    private static String whyNot() {
        String choice = choice();
        if ("none".equalsIgnoreCase(choice)) return ENV + "=none";
        return SONAME + " not found, nor a bundled copy (" + BUNDLED_PROPERTY + "); apt-get install libopenblas0-pthread, or set " + ENV;
    }

    private static String choice() {
        String p = System.getProperty(PROPERTY);
        if (p != null && !p.isBlank()) return p.trim();
        String e = System.getenv(ENV);
        return e == null || e.isBlank() ? null : e.trim();
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
            if (!Files.isRegularFile(Path.of(choice))) {
                throw new IllegalStateException(ENV + "=" + choice + ": no such file (name a libopenblas.so, or 'none')");
            }
            lib = SymbolLookup.libraryLookup(Path.of(choice), Arena.global());
            origin = choice;
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
        return bind(lib, origin);
    }

    private static OpenBlas bind(SymbolLookup lib, String origin) {
        Linker linker = Linker.nativeLinker();
        MemorySegment gemm = lib.find("cblas_sgemm").orElseThrow(
                () -> new IllegalStateException(origin + " has no cblas_sgemm: not an OpenBLAS library"));
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
