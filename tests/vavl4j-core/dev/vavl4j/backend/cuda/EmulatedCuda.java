package dev.vavl4j.backend.cuda;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The CUDA backend on the CPU emulator of the driver and cuBLAS (native-build/emu/): builds
 * {@code libvavl_cuda_emu.so} once per JVM with {@code native-build/emu/build-emu.sh} into
 * {@code <build dir>/emu} and opens backends on it. Without bash or g++ the calling test is aborted
 * (skipped) with the reason; a compile error in the kernels or the emulator fails it.
 *
 * <p>With {@code -Dvavl.cuda.real=true} (native-build/gpu-check.sh on a GPU machine) the same tests get
 * the real GPU instead, through the normal library lookup, and fail if it cannot be opened.
 */
public final class EmulatedCuda {
    private static final long BUILD_TIMEOUT_MINUTES = 10;

    /** The outcome of running build-emu.sh. */
    record Run(int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    private static CudaLibraries.Locations built;
    private static Run failed;

    private EmulatedCuda() {}

    /** A fresh CUDA backend on the emulator, ordinal 0 (or on the real GPU, see {@link #isRealGpu()}). */
    public static CudaBackend backend() {
        return CudaBackend.open(libraries(), 0);
    }

    /** The libraries the tests open: the real ones found by {@link CudaLibraries#locate()} on a GPU, else the emulator. */
    public static CudaLibraries.Locations libraries() {
        return isRealGpu() ? CudaLibraries.locate() : locations();
    }

    /** Whether the tests run on a real GPU ({@code -Dvavl.cuda.real=true}) rather than on the emulator. */
    public static boolean isRealGpu() {
        return Boolean.getBoolean("vavl.cuda.real");
    }

    /** The emulator library as both libcuda and libcublas; built on first use. */
    public static synchronized CudaLibraries.Locations locations() {
        if (built == null && failed == null) {
            Run r = runBuildScript(false, emulatorDir());
            if (r.ok()) {
                Path so = emulatorDir().resolve("libvavl_cuda_emu.so");
                if (!Files.isRegularFile(so))
                    throw new AssertionError("build-emu.sh succeeded but " + so + " is missing:\n" + r.output());
                built = new CudaLibraries.Locations(so, so);
            } else {
                failed = r;
            }
        }
        if (failed != null) throw failure("building the CUDA emulator", failed);
        return built;
    }

    /** Where the emulator is built: {@code <vavl.buildDir or the Maven build dir>/emu}. */
    static Path emulatorDir() {
        return buildDir().resolve("emu");
    }

    /**
     * Runs {@code bash native-build/emu/build-emu.sh [--selftest] outDir}. Aborts the calling test when
     * bash or g++ is missing (exit 3 of the script); other failures are returned.
     */
    static Run runBuildScript(boolean selftest, Path outDir) {
        Path script = projectRoot().resolve("native-build/emu/build-emu.sh");
        List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
        if (selftest) cmd.add("--selftest");
        cmd.add(outDir.toString());
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(projectRoot().toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("the CUDA emulator needs bash, which cannot be started here: " + e.getMessage());
            throw new AssertionError(e); // not reached
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (InputStream in = p.getInputStream()) {
                in.transferTo(out);
            } catch (IOException ignored) {
                // the process died; its exit code tells
            }
        });
        try {
            if (!p.waitFor(BUILD_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                reader.join(5000);
                return new Run(-1, "timed out after " + BUILD_TIMEOUT_MINUTES + " minutes:\n" + text(out));
            }
            reader.join();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while building the CUDA emulator", e);
        }
        Run r = new Run(p.exitValue(), text(out));
        if (r.exitCode() == 3) Assumptions.abort("the CUDA emulator cannot be built here: " + r.output().strip());
        return r;
    }

    /** The error for a failed run: g++'s first lines (or the self-test's failures). */
    static AssertionError failure(String what, Run r) {
        String[] lines = r.output().split("\n");
        StringBuilder sb = new StringBuilder(what).append(" failed (exit ").append(r.exitCode()).append("):");
        int shown = Math.min(lines.length, 60);
        for (int i = 0; i < shown; i++) sb.append('\n').append(lines[i]);
        if (lines.length > shown) sb.append("\n... (").append(lines.length - shown).append(" more lines)");
        return new AssertionError(sb.toString());
    }

    private static String text(ByteArrayOutputStream out) {
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    /** The checkout: the first folder from the working directory up that holds native-build/emu/build-emu.sh. */
    static Path projectRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent())
            if (Files.isRegularFile(d.resolve("native-build/emu/build-emu.sh"))) return d;
        Assumptions.abort("native-build/emu/build-emu.sh not found from " + dir);
        throw new AssertionError(); // not reached
    }

    /** The Maven build folder: -Dvavl.buildDir, else the parent of test-classes, else target/. */
    static Path buildDir() {
        String prop = System.getProperty("vavl.buildDir");
        if (prop != null && !prop.isBlank()) return Path.of(prop).toAbsolutePath();
        try {
            CodeSource cs = EmulatedCuda.class.getProtectionDomain().getCodeSource();
            if (cs != null && cs.getLocation() != null && "file".equals(cs.getLocation().getProtocol())) {
                Path classes = Path.of(cs.getLocation().toURI());
                if (classes.getFileName() != null && classes.getFileName().toString().equals("test-classes")
                        && classes.getParent() != null)
                    return classes.getParent();
            }
        } catch (URISyntaxException | IllegalArgumentException | SecurityException e) {
            // fall through
        }
        return projectRoot().resolve("target");
    }
}
