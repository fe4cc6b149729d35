package dev.vavl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./vavl} launcher's first-run build, with stand-ins for Maven and the JDK in a copy of the
 * launcher: Maven's output goes to target/build.log (it was empty after a successful build, from {@code -q}),
 * and the console shows only the one "vavl: building" line.
 */
class LauncherBuildLogTest {
    @TempDir
    Path tmp;

    private static Path script(Path file, String body) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    @Test
    void aSuccessfulBuildLeavesMavensOutputInTheLogAndOneLineOnTheConsole() throws Exception {
        Path launcher = Path.of("vavl");   // the tests run in the repository root
        assumeTrue(Files.isRegularFile(launcher) && Files.isExecutable(Path.of("/bin/bash")), "needs ./vavl and bash");
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.copy(launcher, root.resolve("vavl"), StandardCopyOption.COPY_ATTRIBUTES);
        // Maven prints its progress and "BUILD SUCCESS" at its default level, nothing with -q (errors only).
        Path mvn = script(tmp.resolve("bin/mvn"), """
                for a in "$@"; do [ "$a" = "-q" ] && quiet=1; done
                [ -z "$quiet" ] && echo "[INFO] Building vavl4j-cli" && echo "[INFO] BUILD SUCCESS"
                mkdir -p target && : > target/vavl4j-cli.jar
                """);
        Path jdk = tmp.resolve("jdk");
        script(jdk.resolve("bin/java"), "echo \"java ran: $*\"\n");
        script(jdk.resolve("bin/javac"), "exit 0\n");
        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"25.0.1\"\n");

        ProcessBuilder pb = new ProcessBuilder("/bin/bash", root.resolve("vavl").toString(), "info", "--model", "m")
                .redirectOutput(tmp.resolve("stdout").toFile()).redirectError(tmp.resolve("stderr").toFile());
        pb.environment().put("JAVA_HOME", jdk.toString());
        pb.environment().put("VAVL_JVM_DIR", Files.createDirectories(tmp.resolve("no-jdks")).toString());
        pb.environment().put("MVN", mvn.toString());
        pb.environment().remove("VAVL_JAVA_OPTS");
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher finished");
        String out = Files.readString(tmp.resolve("stdout")), err = Files.readString(tmp.resolve("stderr"));
        assertEquals(0, p.exitValue(), "stdout:\n" + out + "stderr:\n" + err);

        String log = Files.readString(root.resolve("target/build.log"), StandardCharsets.UTF_8);
        assertTrue(log.contains("BUILD SUCCESS"), "Maven's normal output in build.log:\n" + log);
        List<String> console = err.lines().toList();
        assertEquals(1, console.size(), "only the building line on the console:\n" + err);
        assertTrue(console.getFirst().startsWith("vavl: building (first run)"), err);
        assertTrue(out.contains("java ran:") && out.contains("-jar " + root.toRealPath().resolve("target/vavl4j-cli.jar")), "then the CLI ran:\n" + out);
    }
}
