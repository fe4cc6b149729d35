package dev.vavl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;

/** Runs the {@code vavl} command line in-process and copies bundled fixtures into temporary folders. */
final class CliHarness {
    static final List<String> FIXTURE_FILES =
            List.of("config.json", "weights.safetensors", "batch.safetensors", "expected.safetensors");

    private CliHarness() {}

    record Run(int exit, String out, String err) {
        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = VavlCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** Copies the bundled fixture {@code name} (classpath resources) into {@code parent/name}. */
    static Path copyBundled(String name, Path parent) throws IOException {
        Path dir = Files.createDirectories(parent.resolve(name));
        for (String f : FIXTURE_FILES) {
            try (InputStream in = CliHarness.class.getResourceAsStream("/dev/vavl4j/fixtures/" + name + "/" + f)) {
                assertNotNull(in, "bundled resource " + name + "/" + f);
                Files.copy(in, dir.resolve(f));
            }
        }
        return dir;
    }

    /** No Java exception or stack trace leaked into the text. */
    static void assertNoStackTrace(String text) {
        assertFalse(text.contains("at dev.vavl4j"), "stack trace printed:\n" + text);
        assertFalse(text.contains("\tat "), "stack trace printed:\n" + text);
        assertFalse(text.contains("Exception"), "exception class name printed:\n" + text);
    }

    static void assertOneErrorLine(Run r) {
        assertEquals(1, r.errLines().size(), "exactly one line on stderr:\n" + r);
    }
}
