package dev.vavl4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A JVM started without {@code --add-modules jdk.incubator.vector} gets one message naming the flag when a
 * CPU backend opens, not a NoClassDefFoundError inside the first op. Runs in a child JVM without the flag.
 */
class JvmRequirementsTest {
    /** The child: opens a backend and runs one vectorised op, then prints what happened. */
    public static final class Child {
        public static void main(String[] args) {
            System.out.println("present " + JvmRequirements.vectorModulePresent());
            try (CpuBackend be = new CpuBackend(1)) {
                var x = be.zeros(2, 8);
                be.call(() -> { be.dropout(x, 0.5f, 1L, x); return null; });
                System.out.println("opened");
            } catch (RuntimeException e) {
                System.out.println(e.getClass().getName() + ": " + e.getMessage());
            }
        }
    }

    private static List<String> child(boolean withFlag) throws Exception {
        var cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (withFlag) cmd.addAll(List.of("--add-modules", "jdk.incubator.vector"));
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-Dvavl.openblas=none",
                "-cp", System.getProperty("java.class.path"), Child.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        return out.lines().filter(l -> !l.startsWith("WARNING")).toList();
    }

    @Test
    void withoutTheFlagOpeningFailsWithOneLineNamingIt() throws Exception {
        List<String> out = child(false);
        assertEquals("present false", out.getFirst(), String.join("\n", out));
        assertEquals(2, out.size(), String.join("\n", out));
        assertTrue(out.get(1).startsWith("dev.vavl4j.DeviceException: the JVM was started without --add-modules jdk.incubator.vector"),
                String.join("\n", out));
    }

    @Test
    void withTheFlagTheSameChildRuns() throws Exception {
        assertEquals(List.of("present true", "opened"), child(true));
    }
}
