package dev.vavl4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The library search: order, precedence of the overrides, and what a failed search tells the user. */
class CudaLibrariesTest {
    @TempDir
    Path tmp;

    private Path dir(String name) throws IOException {
        return Files.createDirectories(tmp.resolve(name));
    }

    private static Path lib(Path dir, String file) throws IOException {
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve(file), "x");
    }

    private static Path both(Path dir) throws IOException {
        lib(dir, CudaLibraries.CUDA);
        lib(dir, CudaLibraries.CUBLAS);
        return dir;
    }

    @Test
    void systemDirsInListedOrder() throws IOException {
        Path first = dir("first"), second = both(dir("second")), third = both(dir("third"));
        var found = CudaLibraries.locate(Map.of(), List.of(), List.of(first, second, third));
        assertEquals(second.resolve(CudaLibraries.CUDA), found.cuda());
        assertEquals(second.resolve(CudaLibraries.CUBLAS), found.cublas());
    }

    @Test
    void librariesMayComeFromDifferentPlaces() throws IOException {
        Path driverDir = dir("driver"), toolkit = dir("toolkit");
        lib(driverDir, CudaLibraries.CUDA);
        lib(toolkit, CudaLibraries.CUBLAS);
        var found = CudaLibraries.locate(Map.of(), List.of(), List.of(driverDir, toolkit));
        assertEquals(driverDir.resolve(CudaLibraries.CUDA), found.cuda());
        assertEquals(toolkit.resolve(CudaLibraries.CUBLAS), found.cublas());
    }

    @Test
    void fileOverridesWinOverEverything() throws IOException {
        Path sys = both(dir("sys")), libDir = both(dir("libdir"));
        Path cuda = lib(dir("custom"), "my-libcuda.so"), cublas = lib(dir("custom2"), "my-cublas.so");
        Map<String, String> env = Map.of("VAVL_LIBCUDA", cuda.toString(), "VAVL_LIBCUBLAS", cublas.toString(),
                "VAVL_CUDA_LIB_DIR", libDir.toString());
        var found = CudaLibraries.locate(env, List.of(), List.of(sys));
        assertEquals(cuda, found.cuda());
        assertEquals(cublas, found.cublas());
    }

    @Test
    void libDirComesBeforeSystemDirs() throws IOException {
        Path sys = both(dir("sys")), libDir = both(dir("libdir"));
        var found = CudaLibraries.locate(Map.of("VAVL_CUDA_LIB_DIR", libDir.toString()), List.of(), List.of(sys));
        assertEquals(libDir.resolve(CudaLibraries.CUDA), found.cuda());
        assertEquals(libDir.resolve(CudaLibraries.CUBLAS), found.cublas());
    }

    @Test
    void systemDirsComeBeforeLdLibraryPathWhichComesBeforePython() throws IOException {
        Path sys = dir("sys"), ld1 = dir("ld1"), ld2 = both(dir("ld2"));
        Path pyRoot = dir("pyroot");
        Path wheel = both(pyRoot.resolve("python3.12/site-packages/nvidia/cu13/lib"));
        lib(sys, CudaLibraries.CUDA);
        Map<String, String> env = Map.of("LD_LIBRARY_PATH", ld1 + ":" + ld2);
        var found = CudaLibraries.locate(env, List.of(pyRoot), List.of(sys));
        assertEquals(sys.resolve(CudaLibraries.CUDA), found.cuda());
        assertEquals(ld2.resolve(CudaLibraries.CUBLAS), found.cublas());

        var noLd = CudaLibraries.locate(Map.of(), List.of(pyRoot), List.of(sys));
        assertEquals(wheel.resolve(CudaLibraries.CUBLAS), noLd.cublas());
    }

    @Test
    void pythonWheelsDistPackagesAndCublasWheel() throws IOException {
        Path root = dir("usrlib");
        Path cuda = lib(root.resolve("python3.11/dist-packages/nvidia/cu13/lib"), CudaLibraries.CUDA);
        Path cublas = lib(root.resolve("python3.11/dist-packages/nvidia/cublas/lib"), CudaLibraries.CUBLAS);
        var found = CudaLibraries.locate(Map.of(), List.of(root), List.of());
        assertEquals(cuda, found.cuda());
        assertEquals(cublas, found.cublas());
    }

    @Test
    void overrideToMissingFileNamesVariableAndPath() throws IOException {
        Path sys = both(dir("sys"));
        String missing = tmp.resolve("nowhere/libcuda.so.1").toString();
        var e = assertThrows(CudaUnavailableException.class,
                () -> CudaLibraries.locate(Map.of("VAVL_LIBCUDA", missing), List.of(), List.of(sys)));
        assertTrue(e.getMessage().contains("VAVL_LIBCUDA"), e.getMessage());
        assertTrue(e.getMessage().contains(missing), e.getMessage());

        var e2 = assertThrows(CudaUnavailableException.class,
                () -> CudaLibraries.locate(Map.of("VAVL_LIBCUBLAS", missing), List.of(), List.of(sys)));
        assertTrue(e2.getMessage().contains("VAVL_LIBCUBLAS"), e2.getMessage());
    }

    @Test
    void libDirThatIsNotADirectoryIsAnError() {
        String missing = tmp.resolve("no-such-dir").toString();
        var e = assertThrows(CudaUnavailableException.class,
                () -> CudaLibraries.locate(Map.of("VAVL_CUDA_LIB_DIR", missing), List.of(), List.of()));
        assertTrue(e.getMessage().contains("VAVL_CUDA_LIB_DIR") && e.getMessage().contains(missing), e.getMessage());
    }

    @Test
    void notFoundMessageIsOneLineListingPlacesAndOverride() throws IOException {
        Path sys1 = dir("sys1"), sys2 = dir("sys2"), py = dir("py");
        Map<String, String> env = new HashMap<>();
        env.put("LD_LIBRARY_PATH", dir("ld").toString());
        var e = assertThrows(CudaUnavailableException.class,
                () -> CudaLibraries.locate(env, List.of(py), List.of(sys1, sys2)));
        String m = e.getMessage();
        assertFalse(m.contains("\n"), m);
        assertTrue(m.contains("libcuda.so.1"), m);
        assertTrue(m.contains(sys1.toString()) && m.contains(sys2.toString()), m);
        assertTrue(m.contains("LD_LIBRARY_PATH"), m);
        assertTrue(m.contains(py.toString()) && m.contains("nvidia"), m);
        assertTrue(m.contains("set VAVL_LIBCUDA=/path/libcuda.so.1"), m);

        lib(sys2, CudaLibraries.CUDA);
        var e2 = assertThrows(CudaUnavailableException.class,
                () -> CudaLibraries.locate(env, List.of(py), List.of(sys1, sys2)));
        assertTrue(e2.getMessage().contains("libcublas.so.13 not found"), e2.getMessage());
        assertTrue(e2.getMessage().contains("set VAVL_LIBCUBLAS=/path/libcublas.so.13"), e2.getMessage());
    }

    @Test
    void defaultPlacesCoverTheUsualFolders() {
        List<String> dirs = CudaLibraries.defaultSystemDirs().stream().map(Path::toString).toList();
        assertEquals("/usr/local/cuda/lib64", dirs.get(0));
        assertTrue(dirs.contains("/usr/lib/x86_64-linux-gnu"));
        assertTrue(dirs.contains("/usr/lib64"));
        assertTrue(dirs.contains("/usr/lib/wsl/lib"));
        assertTrue(dirs.contains("/usr/local/nvidia/lib64"), "the driver mount of NVIDIA containers: " + dirs);
        assertTrue(CudaLibraries.defaultPythonRoots(Map.of()).contains(Path.of("/usr/local/lib")));
    }

    @Test
    void cublasWheelInTheVirtualEnvironmentOfPathsPython() throws IOException {
        // A GPU image with PyTorch in /opt/torch/.venv: python3 on PATH is the venv's, its wheels in lib/python3.12.
        Path venv = dir("opt/torch/.venv"), bin = dir("opt/torch/.venv/bin"), sys = both(dir("sys"));
        Path python = lib(bin, "python3");
        assertTrue(python.toFile().setExecutable(true));
        Path wheel = lib(venv.resolve("lib/python3.12/site-packages/nvidia/cu13/lib"), CudaLibraries.CUBLAS);
        Files.delete(sys.resolve(CudaLibraries.CUBLAS));
        Map<String, String> env = Map.of("PATH", dir("usr/bin") + ":" + bin);
        List<Path> roots = CudaLibraries.defaultPythonRoots(env);
        assertTrue(roots.contains(venv.resolve("lib")), roots.toString());
        var found = CudaLibraries.locate(env, roots, List.of(sys));
        assertEquals(sys.resolve(CudaLibraries.CUDA), found.cuda());
        assertEquals(wheel, found.cublas());
        // a folder on PATH without python3 adds nothing; VIRTUAL_ENV and CONDA_PREFIX add their lib
        assertFalse(roots.contains(tmp.resolve("usr/lib")), roots.toString());
        List<Path> active = CudaLibraries.defaultPythonRoots(Map.of("VIRTUAL_ENV", "/srv/env", "CONDA_PREFIX", "/opt/conda"));
        assertTrue(active.contains(Path.of("/srv/env/lib")) && active.contains(Path.of("/opt/conda/lib")), active.toString());
    }
}
