package dev.vavl4j.cli;

import static dev.vavl4j.cli.CliHarness.assertNoStackTrace;
import static dev.vavl4j.cli.CliHarness.assertOneErrorLine;
import static dev.vavl4j.cli.CliHarness.copyBundled;
import static dev.vavl4j.cli.CliHarness.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vavl4j.io.HostTensor;
import dev.vavl4j.io.SafeTensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code parity} subcommand on good input, and its --device choices. */
class ParityCliTest {
    @TempDir
    Path tmp;

    @Test
    void parityOnACopiedFixturePassesAndWritesEveryExpectedTensor() throws IOException {
        Path fx = copyBundled("tiny-classification", tmp);
        Path out = tmp.resolve("actual").resolve("actual.safetensors");
        CliHarness.Run r = run("parity", "--fixture", fx.toString(), "--out", out.toString(), "--device", "cpu");

        assertEquals(0, r.exit(), r.toString());
        assertEquals("", r.err(), "nothing on stderr:\n" + r);
        String line = r.out().lines().filter(l -> l.startsWith(fx.toString())).findFirst().orElse(null);
        assertNotNull(line, "a result line for the fixture:\n" + r);
        assertTrue(line.contains("PASS") && !line.contains("FAIL"), line);
        assertFalse(r.out().contains("FAIL"), r.toString());
        assertTrue(r.out().contains("wrote " + out), r.toString());

        assertTrue(Files.isRegularFile(out), "--out file written");
        Map<String, HostTensor> expected = SafeTensors.read(fx.resolve("expected.safetensors"));
        Map<String, HostTensor> actual = SafeTensors.read(out);
        assertFalse(expected.isEmpty());
        for (var e : expected.entrySet()) {
            HostTensor a = actual.get(e.getKey());
            assertNotNull(a, "--out lacks expected tensor '" + e.getKey() + "'");
            assertArrayEquals(e.getValue().shape(), a.shape(), "shape of '" + e.getKey() + "'");
            assertEquals(HostTensor.DType.F32, a.dtype(), e.getKey());
        }
        // the file is labelled as actual results from the cpu device
        byte[] bytes = Files.readAllBytes(out);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        JsonNode meta = new ObjectMapper().readTree(new String(bytes, 8, (int) n, StandardCharsets.UTF_8)).path("__metadata__");
        assertEquals("vavl-actual-v1", meta.path("format").asText(), meta.toString());
        assertTrue(meta.path("device").asText().toLowerCase(Locale.ROOT).contains("cpu"), meta.toString());
        try (Stream<Path> s = Files.list(out.getParent())) {
            assertEquals(List.of("actual.safetensors"), s.map(p -> p.getFileName().toString()).toList(), "no temp files left");
        }
    }

    @Test
    void parityWithoutArgumentsRunsBothBundledFixtures() {
        CliHarness.Run r = run("parity");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("", r.err(), r.toString());
        for (String name : new String[] {"tiny-classification", "tiny-regression"}) {
            String line = r.out().lines().filter(l -> l.startsWith(name)).findFirst().orElse(null);
            assertNotNull(line, "a result line for " + name + ":\n" + r);
            assertTrue(line.contains("PASS"), line);
        }
        assertFalse(r.out().contains("FAIL"), r.toString());
    }

    @Test
    void deviceAutoStatesItChoseCpuAndWhy() throws IOException {
        Path fx = copyBundled("tiny-regression", tmp);
        CliHarness.Run r = run("parity", "--fixture", fx.toString(), "--device", "auto");
        assertEquals(0, r.exit(), r.toString());
        String device = r.out().lines().filter(l -> l.toLowerCase(Locale.ROOT).startsWith("device")).findFirst().orElse("");
        String d = device.toLowerCase(Locale.ROOT);
        assertTrue(d.contains("auto") && d.contains("cpu"), "says auto chose cpu: '" + device + "'\n" + r);
        assertTrue(d.contains("cuda"), "says why (no CUDA): '" + device + "'");
        assertTrue(r.out().contains("PASS"), r.toString());
    }

    @Test
    void deviceCpuIsReported() throws IOException {
        Path fx = copyBundled("tiny-regression", tmp);
        CliHarness.Run r = run("parity", "--fixture", fx.toString(), "--device", "cpu");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("device") && l.contains("cpu")), r.toString());
    }

    @Test
    void deviceCudaFailsWithOneLineMentioningCuda() throws IOException {
        Path fx = copyBundled("tiny-regression", tmp);
        Path out = tmp.resolve("cuda.safetensors");
        CliHarness.Run r = run("parity", "--fixture", fx.toString(), "--out", out.toString(), "--device", "cuda");
        assertNotEquals(0, r.exit(), r.toString());
        assertOneErrorLine(r);
        assertTrue(r.err().toLowerCase(Locale.ROOT).contains("cuda"), r.toString());
        assertNoStackTrace(r.err());
        assertNoStackTrace(r.out());
        assertFalse(Files.exists(out), "no --out file on failure");
    }

    @Test
    void unknownDeviceGivesAClearError() {
        CliHarness.Run r = run("parity", "--device", "tpu");
        assertEquals(2, r.exit(), r.toString());
        assertOneErrorLine(r);
        String m = r.err();
        assertTrue(m.contains("tpu"), "names the bad value: " + m);
        assertTrue(m.contains("cpu") && m.contains("cuda") && m.contains("auto"), "lists the valid choices: " + m);
        assertNoStackTrace(m);
    }

    @Test
    void outWithoutFixtureIsAUsageError() {
        Path out = tmp.resolve("x.safetensors");
        CliHarness.Run r = run("parity", "--out", out.toString());
        assertEquals(2, r.exit(), r.toString());
        assertOneErrorLine(r);
        assertTrue(r.err().contains("--out") && r.err().contains("--fixture"), r.toString());
        assertNoStackTrace(r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void unknownOptionIsRejectedWithoutStackTrace() {
        CliHarness.Run r = run("parity", "--fixtures", "x");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("--fixtures"), r.toString());
        assertNoStackTrace(r.err());
    }

    /**
     * An --out path that cannot be created must be reported naming that path and why. Today, with --out
     * under a regular file, the line is only "vavl parity: <the regular file>" (the message of
     * FileAlreadyExistsException): neither the --out path nor the reason appears.
     */
    @Test
    void unwritableOutFileIsReportedNamingIt() throws IOException {
        Path fx = copyBundled("tiny-regression", tmp);
        Path blocker = Files.writeString(tmp.resolve("plain-file"), "x");
        Path out = blocker.resolve("actual.safetensors");
        CliHarness.Run r = run("parity", "--fixture", fx.toString(), "--out", out.toString(), "--device", "cpu");
        assertEquals(2, r.exit(), r.toString());
        assertOneErrorLine(r);
        assertTrue(r.err().contains(out.toString()), "names the --out file " + out + ":\n" + r.err());
        assertNoStackTrace(r.err());
        assertEquals("x", Files.readString(blocker));
    }

    /**
     * {@code vavl} without a subcommand prints its usage, listing parity, to the command line's configured
     * out writer. Today VavlCli.run() prints to System.out, bypassing setOut (so the usage cannot be
     * captured or redirected).
     */
    @Test
    void noSubcommandPrintsUsageToTheConfiguredOut() {
        CliHarness.Run r = run();
        assertTrue(r.out().contains("Usage") && r.out().contains("parity"), "usage on the configured out:\n" + r);
    }

    @Test
    void unknownSubcommandIsRejected() {
        CliHarness.Run r = run("prity");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("prity"), r.toString());
        assertNoStackTrace(r.err());
    }

    @Test
    void helpListsTheOptions() {
        CliHarness.Run r = run("parity", "--help");
        assertEquals(0, r.exit(), r.toString());
        for (String opt : new String[] {"--fixture", "--out", "--device"}) assertTrue(r.out().contains(opt), r.toString());
    }
}
