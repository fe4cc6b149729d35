package dev.vavl4j.bench;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.Tensor;
import dev.vavl4j.backend.cpu.CpuGemm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * What every benchmark JVM needs before the CPU backend loads: the folder of the OpenBLAS that the build
 * unpacked, in the system property {@code vavl.openblasBundled} (see OpenBlas.java).
 *
 * <p>Why here and not only in {@code @Fork(jvmArgsAppend)}: an annotation holds a constant, and the folder
 * depends on the build directory ({@code -Dvavl.buildRoot}). So each benchmark class calls {@link #init()}
 * from its static initialiser, which runs in the forked JVM before any op: a property given on the command
 * line wins (JMH passes the host JVM's flags on to its forks, and {@code -jvmArgsAppend} reaches them too);
 * otherwise the folder is found beside the benchmarks jar, where the same build unpacked it
 * ({@code ${vavl.buildRoot}/vavl4j-benchmarks.jar} and {@code ${vavl.buildRoot}/openblas/...}). A system
 * {@code libopenblas.so.0} or {@code VAVL_OPENBLAS} still come first, as OpenBlas.java orders them.
 */
final class BenchEnv {
    static final String OPENBLAS_BUNDLED = "vavl.openblasBundled";
    private static final String UNPACKED = "openblas/org/bytedeco/openblas/linux-x86_64";

    private BenchEnv() {}

    /** Points {@code vavl.openblasBundled} at the build's unpacked OpenBLAS unless it is already set. */
    static synchronized void init() {
        String given = System.getProperty(OPENBLAS_BUNDLED);
        if (given != null && !given.isBlank()) return;
        try {
            Path code = Path.of(BenchEnv.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // the jar (or, run from an IDE, the classes folder) sits directly in the build directory
            Path dir = code.toAbsolutePath().getParent().resolve(UNPACKED);
            if (Files.isRegularFile(dir.resolve("libopenblas.so.0"))) System.setProperty(OPENBLAS_BUNDLED, dir.toString());
        } catch (Exception | LinkageError e) {
            // no code source to look beside: the backend then reports the Java kernel, and the OpenBLAS benchmarks say why
        }
    }

    /**
     * Prints which GEMM the backend uses, once per fork, so a result file records it. (JMH runs a trial's
     * setup after it has printed the first iteration's label, hence the leading line break.)
     */
    static void report(String bench) {
        System.out.println(System.lineSeparator() + "# " + bench + ": GEMM = " + CpuGemm.implementation() + "; " + OPENBLAS_BUNDLED + " = "
                + System.getProperty(OPENBLAS_BUNDLED));
    }

    /** A tensor of the given shape with values uniform in [−0.5, 0.5). */
    static Tensor random(Backend be, SplittableRandom rng, int... shape) {
        float[] vals = new float[Math.toIntExact(Arrays.stream(shape).asLongStream().reduce(1, (x, y) -> x * y))];
        for (int i = 0; i < vals.length; i++) vals[i] = (float) (rng.nextDouble() - 0.5);
        return be.fromHost(vals, shape);
    }

    /** True when {@link CpuGemm#gemm} and the attention core run on OpenBLAS. */
    static boolean openBlas() {
        return CpuGemm.implementation().startsWith("OpenBLAS");
    }

    /** The setup failure of a benchmark that measures the OpenBLAS path when that path is not active. */
    static IllegalStateException noOpenBlas(String benchmark) {
        return new IllegalStateException(benchmark + " measures the OpenBLAS path, but the backend uses "
                + CpuGemm.implementation() + ". Build with -Pbench (it unpacks OpenBLAS beside the jar) or pass "
                + "-D" + OPENBLAS_BUNDLED + "=<build dir>/" + UNPACKED + " (or VAVL_OPENBLAS=/path/libopenblas.so.0); "
                + "the other benchmarks of the class still run.");
    }
}
