package dev.vavl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.testutil.TinyRuns;
import java.io.IOException;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/** Corpora, configs and assertions shared by the train / evaluate / predict / info / demo CLI tests. */
final class CliCorpusKit {
    private CliCorpusKit() {}

    static final ObjectMapper JSON = new ObjectMapper();

    /** TinyRuns.tinyModel() plus trainer keys (batch 8, patience 0, the seed), as a --config file. */
    static Path tinyConfig(Path file, long seed) throws IOException {
        ObjectNode n = TinyRuns.tinyModel();
        n.put("batch_size", 8).put("seed", seed).put("patience", 0);
        Files.createDirectories(file.getParent());
        Files.writeString(file, JSON.writeValueAsString(n));
        return file;
    }

    /** {@code train} arguments for the tiny model on a corpus directory (manifest.csv, features/). */
    static List<String> trainArgs(Path corpus, Path config, Path out, int epochs) {
        return new ArrayList<>(List.of("train", "--manifest", corpus.resolve("manifest.csv").toString(),
                "--features", corpus.resolve("features").toString(), "--task", "classification",
                "--labels", "angry,happy,neutral,sad", "--out", out.toString(), "--config", config.toString(),
                "--epochs", String.valueOf(epochs), "--device", "cpu"));
    }

    static CliHarness.Run run(List<String> args) {
        return CliHarness.run(args.toArray(String[]::new));
    }

    /** Copies a whole directory tree (a generated corpus) so a test can damage the copy. */
    static Path copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(q);
                else Files.copy(p, q, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return to;
    }

    /** The manifest's data rows (commons-csv, header by name). */
    static List<CSVRecord> rows(Path manifest) throws IOException {
        try (Reader r = Files.newBufferedReader(manifest);
             var p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
            return p.getRecords();
        }
    }

    static String stem(CSVRecord row) {
        String f = row.get("FileName");
        return f.substring(0, f.lastIndexOf('.'));
    }

    /** Rewrites the manifest's lines (index 0 is the header). */
    static void editLines(Path manifest, UnaryOperator<List<String>> edit) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(manifest));
        Files.write(manifest, edit.apply(lines));
    }

    /** Byte offset of the data section of an NPY file. */
    static int npyDataOffset(byte[] b) {
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int major = b[6] & 0xff;
        return major == 1 ? 10 + (bb.getShort(8) & 0xffff) : 12 + bb.getInt(8);
    }

    /** Overwrites the float32 value number {@code index} of the data section (a NaN or an infinity). */
    static void poke(Path npy, int index, float value) throws IOException {
        byte[] b = Files.readAllBytes(npy);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(npyDataOffset(b) + 4 * index, value);
        Files.write(npy, b);
    }

    /**
     * A user error: exit 2; stderr's last line is the only one starting with "vavl CMD:", contains every
     * {@code mustContain}; nothing looks like a stack trace or an exception class on either stream.
     */
    static String assertUserError(CliHarness.Run r, String cmd, String... mustContain) {
        assertEquals(2, r.exit(), "exit code 2 for a user error:\n" + r);
        List<String> lines = r.errLines();
        assertFalse(lines.isEmpty(), "a message on stderr:\n" + r);
        List<String> msgs = lines.stream().filter(l -> l.startsWith("vavl " + cmd + ":")).toList();
        assertEquals(1, msgs.size(), "exactly one 'vavl " + cmd + ":' line on stderr:\n" + r);
        String msg = msgs.getFirst();
        assertEquals(msg, lines.getLast(), "the error line ends stderr:\n" + r);
        for (String s : mustContain) assertTrue(msg.contains(s), "message names '" + s + "':\n" + msg);
        assertNoStackTrace(r);
        return msg;
    }

    static void assertNoStackTrace(CliHarness.Run r) {
        for (String text : new String[] {r.err(), r.out()}) {
            assertFalse(text.contains("\tat "), "stack trace printed:\n" + r);
            assertFalse(text.contains("Exception"), "exception class name printed:\n" + r);
            assertFalse(text.contains("internal error"), "reported as an internal error:\n" + r);
        }
    }

    /** Neither out/best nor out/last nor any temporary checkpoint directory exists. */
    static void assertNoCheckpoint(Path out) throws IOException {
        assertFalse(Files.exists(out.resolve("best")), out + "/best must not exist");
        assertFalse(Files.exists(out.resolve("last")), out + "/last must not exist");
        if (Files.isDirectory(out)) {
            try (Stream<Path> s = Files.list(out)) {
                List<String> names = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
                assertEquals(List.of(), names, "no temporary checkpoint directories in " + out);
            }
        }
    }
}
