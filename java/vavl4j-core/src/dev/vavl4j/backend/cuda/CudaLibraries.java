package dev.vavl4j.backend.cuda;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where libcuda.so.1 (the driver, installed with the GPU driver) and libcublas.so.13 (from the CUDA
 * toolkit or the {@code nvidia-cublas} pip wheel) are found. Order: the overrides {@code VAVL_LIBCUDA} /
 * {@code VAVL_LIBCUBLAS} (a file each) and {@code VAVL_CUDA_LIB_DIR} (a folder holding both); the usual
 * CUDA and distribution folders and the driver mount of NVIDIA containers; each folder of
 * {@code LD_LIBRARY_PATH}; the lib folders of NVIDIA's Python wheels in the system's, the user's, the
 * active environment's and {@code PATH}'s Pythons. The search is a pure function of an environment map and the folders to look in, so
 * tests can run it against temporary folders.
 */
public final class CudaLibraries {
    static final String CUDA = "libcuda.so.1";
    static final String CUBLAS = "libcublas.so.13";
    static final String ENV_CUDA = "VAVL_LIBCUDA", ENV_CUBLAS = "VAVL_LIBCUBLAS", ENV_DIR = "VAVL_CUDA_LIB_DIR";

    private CudaLibraries() {}

    /** The two libraries to load. */
    public record Locations(Path cuda, Path cublas) {}

    /**
     * Finds both libraries in the documented order, or throws {@link CudaUnavailableException} saying where it
     * looked. The JVM system properties {@code vavl.libcuda}, {@code vavl.libcublas} and {@code vavl.cudaLibDir}
     * stand for the three environment overrides and win over them, for services that cannot set the environment.
     */
    public static Locations locate() {
        Map<String, String> env = new java.util.HashMap<>(System.getenv());
        Map.of("vavl.libcuda", ENV_CUDA, "vavl.libcublas", ENV_CUBLAS, "vavl.cudaLibDir", ENV_DIR).forEach((prop, var) -> {
            String v = System.getProperty(prop);
            if (v != null && !v.isBlank()) env.put(var, v);
        });
        return locate(env, defaultPythonRoots(env), defaultSystemDirs());
    }

    /**
     * The search itself. {@code pythonRoots} are folders like {@code /usr/lib} that hold
     * {@code python3.X/dist-packages} or {@code site-packages}; {@code systemDirs} the fixed library folders.
     */
    static Locations locate(Map<String, String> env, List<Path> pythonRoots, List<Path> systemDirs) {
        List<Path> dirs = new ArrayList<>();
        String libDir = blankToNull(env.get(ENV_DIR));
        if (libDir != null) {
            Path d = Path.of(libDir);
            if (!Files.isDirectory(d)) {
                throw new CudaUnavailableException(ENV_DIR + "=" + libDir + " is not a directory");
            }
            dirs.add(d);
        }
        dirs.addAll(systemDirs);
        List<Path> ldPath = new ArrayList<>();
        String ld = blankToNull(env.get("LD_LIBRARY_PATH"));
        if (ld != null) {
            for (String s : ld.split(File.pathSeparator)) if (!s.isBlank()) ldPath.add(Path.of(s));
        }
        dirs.addAll(ldPath);
        dirs.addAll(pythonLibDirs(pythonRoots));

        String where = describe(libDir != null, systemDirs, ldPath.size(), pythonRoots);
        Path cuda = find(env, ENV_CUDA, CUDA, dirs, where);
        Path cublas = find(env, ENV_CUBLAS, CUBLAS, dirs, where);
        return new Locations(cuda, cublas);
    }

    private static Path find(Map<String, String> env, String variable, String file, List<Path> dirs, String where) {
        String override = blankToNull(env.get(variable));
        if (override != null) {
            Path p = Path.of(override);
            if (!Files.isRegularFile(p)) throw new CudaUnavailableException(variable + "=" + override + ": no such file");
            return p;
        }
        for (Path d : dirs) {
            Path p = d.resolve(file);
            if (Files.isRegularFile(p)) return p;
        }
        throw new CudaUnavailableException(file + " not found (looked in " + where + "); set " + variable + "=/path/" + file);
    }

    /** One line: every place the search went, briefly. */
    private static String describe(boolean libDir, List<Path> systemDirs, int ldDirs, List<Path> pythonRoots) {
        List<String> parts = new ArrayList<>();
        if (libDir) parts.add(ENV_DIR);
        for (Path d : systemDirs) parts.add(d.toString());
        parts.add("LD_LIBRARY_PATH (" + ldDirs + (ldDirs == 1 ? " dir)" : " dirs)"));
        for (Path r : pythonRoots) parts.add(r + "/python3*/{dist,site}-packages/nvidia/{cu13,cublas}/lib");
        return String.join(", ", parts);
    }

    /** The lib folders of NVIDIA's CUDA 13 wheels under each root's python3* package folders. */
    static List<Path> pythonLibDirs(List<Path> roots) {
        List<Path> out = new ArrayList<>();
        for (Path root : roots) {
            for (Path py : children(root, "python3*")) {
                for (String pkgs : List.of("dist-packages", "site-packages")) {
                    Path nvidia = py.resolve(pkgs).resolve("nvidia");
                    out.add(nvidia.resolve("cu13").resolve("lib"));
                    out.add(nvidia.resolve("cublas").resolve("lib"));
                }
            }
        }
        return out;
    }

    /**
     * The system Pythons' lib folders, the user's ({@code ~/.local/lib}), the active virtual or conda
     * environment's, and that of every {@code python3} on {@code PATH}: GPU images often keep PyTorch, and
     * with it the cuBLAS wheel, in a virtual environment such as {@code /opt/torch/.venv}.
     */
    static List<Path> defaultPythonRoots(Map<String, String> env) {
        Set<Path> roots = new LinkedHashSet<>(List.of(Path.of("/usr/lib"), Path.of("/usr/local/lib")));
        String home = System.getProperty("user.home");
        if (home != null && !home.isBlank()) roots.add(Path.of(home, ".local", "lib"));
        for (String var : List.of("VIRTUAL_ENV", "CONDA_PREFIX")) {
            String prefix = blankToNull(env.get(var));
            if (prefix != null) roots.add(Path.of(prefix, "lib"));
        }
        String path = blankToNull(env.get("PATH"));
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (dir.isBlank()) continue;
                Path bin = Path.of(dir);
                if (bin.getParent() != null && Files.isExecutable(bin.resolve("python3"))) roots.add(bin.getParent().resolve("lib"));
            }
        }
        return new ArrayList<>(roots);
    }

    static List<Path> defaultSystemDirs() {
        Set<Path> dirs = new LinkedHashSet<>();
        dirs.add(Path.of("/usr/local/cuda/lib64"));
        dirs.add(Path.of("/usr/local/cuda/targets/x86_64-linux/lib"));
        // Versioned installs, newest first.
        List<Path> versioned = children(Path.of("/usr/local"), "cuda-13*");
        versioned.sort(Comparator.reverseOrder());
        for (Path v : versioned) dirs.add(v.resolve("lib64"));
        dirs.add(Path.of("/usr/lib/x86_64-linux-gnu"));
        // The driver as NVIDIA's container runtime mounts it.
        dirs.add(Path.of("/usr/local/nvidia/lib64"));
        dirs.add(Path.of("/usr/local/nvidia/lib"));
        dirs.add(Path.of("/usr/lib64"));
        dirs.add(Path.of("/usr/lib/wsl/lib")); // the driver under WSL2
        return new ArrayList<>(dirs);
    }

    /** Sub-folders of {@code dir} matching {@code glob}, sorted; none when {@code dir} is unreadable. */
    private static List<Path> children(Path dir, String glob) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, glob)) {
            for (Path p : ds) if (Files.isDirectory(p)) out.add(p);
        } catch (IOException | UncheckedIOException | SecurityException e) {
            return out; // an unreadable folder is simply not a place the library is
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
