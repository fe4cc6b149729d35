package dev.vavl4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bad OpenBLAS setting is a clear DeviceException naming the setting and the file, on every
 * product, never a silent fall back to the Java kernel; {@code none} picks the Java kernel. The library is
 * chosen once per JVM, so each case runs in a child JVM.
 */
class OpenBlasSettingTest {
    /** The child: one small product, then prints the kernel or the error's class and message. */
    public static final class Child {
        public static void main(String[] args) {
            try {
                float[] c = new float[4];
                CpuGemm.gemm(2, 2, 2, 1f, new float[] {1, 2, 3, 4}, false, new float[] {1, 0, 0, 1}, false, 0f, c);
                System.out.println("ok " + c[0] + "," + c[3] + " " + CpuGemm.implementation());
            } catch (RuntimeException e) {
                System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
                System.out.println("describe: " + CpuGemm.implementation());
            }
        }
    }

    private static String run(String setting) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Dvavl.openblas=" + setting, "-cp", System.getProperty("java.class.path"), Child.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        return out.lines().filter(l -> !l.startsWith("WARNING")).reduce("", (a, b) -> a + b + "\n");
    }

    @Test
    void aMissingFileIsNamedWithItsSetting() throws Exception {
        String out = run("/no/such/libopenblas.so.0");
        assertTrue(out.startsWith("DeviceException: -Dvavl.openblas=/no/such/libopenblas.so.0: no such file"), out);
        assertTrue(out.contains("describe: unusable OpenBLAS setting"), out);
    }

    @Test
    void aFileThatIsNotALibraryIsRefusedBeforeLoading(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("libopenblas.so.0"), "not a library\n");
        String out = run(text.toString());
        assertTrue(out.startsWith("DeviceException: -Dvavl.openblas=" + text + ": not a shared library"), out);
        assertTrue(!out.contains("stack guard"), "the JVM must not get to dlopen it: " + out);
    }

    @Test
    void aLibraryWithoutSgemmIsNotOpenBlas() throws Exception {
        Path libm = Path.of("/usr/lib/x86_64-linux-gnu/libm.so.6");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(libm), "no " + libm + " here");
        String out = run(libm.toString());
        assertTrue(out.startsWith("DeviceException: -Dvavl.openblas=" + libm + " has no cblas_sgemm"), out);
    }

    @Test
    void noneSelectsTheJavaKernel() throws Exception {
        String out = run("none");
        assertTrue(out.startsWith("ok 1.0,4.0 Java Vector API kernel (-Dvavl.openblas=none)"), out);
    }
}
