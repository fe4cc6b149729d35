package dev.vavl4j.spark;

import dev.vavl4j.cli.VavlCli;
import dev.vavl4j.demo.DemoCorpus;
import dev.vavl4j.testutil.TinyRuns;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;

/**
 * What the Spark tests share: one {@code local[2]} session bound to the loopback address (no UI), one
 * generated corpus with a tiny model trained on it, and the real {@code vavl predict} run in-process.
 */
final class SparkTests {
    private SparkTests() {}

    private static SparkSession spark;
    private static Fixture fixture;

    /** The corpus, its features and a trained run directory. */
    record Fixture(Path dir, DemoCorpus.Summary corpus, Path model) {}

    static synchronized SparkSession spark() {
        if (spark == null) {
            spark = SparkSession.builder().master("local[2]").appName("vavl4j-spark tests")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "4")
                    .config("spark.default.parallelism", "4")
                    .getOrCreate();
            spark.sparkContext().setLogLevel("WARN");
        }
        return spark;
    }

    /** Generated once per test JVM (the tiny demo corpus: 5 utterances per speaker) and trained for 2 epochs. */
    static synchronized Fixture fixture() {
        if (fixture == null) {
            try {
                Path dir = Files.createTempDirectory("vavl4j-spark-test");
                DemoCorpus.Summary c = TinyRuns.corpus(dir.resolve("corpus"), 41);
                Path model = dir.resolve("run");
                TinyRuns.train(c, model, 2);
                fixture = new Fixture(dir, c, model);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return fixture;
    }

    /** Runs {@code vavl ARGS} in-process; fails the test on a non-zero exit. */
    static String vavl(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = VavlCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        if (exit != 0) throw new AssertionError("vavl " + String.join(" ", args) + " exited " + exit + "\n" + out + err);
        return out.toString();
    }

    /** {@code vavl predict --manifest --features --out} on the CPU with 2 threads: its CSV's records, header first. */
    static List<List<String>> vavlPredict(Path model, Path manifest, Path features, Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("predict", "--model", model.toString(), "--manifest", manifest.toString(),
                "--features", features.toString(), "--out", out.toString(), "--device", "cpu", "--threads", "2", "--overwrite"));
        a.addAll(List.of(extra));
        vavl(a.toArray(String[]::new));
        return records(out);
    }

    static List<List<String>> records(Path csv) {
        try (CSVParser p = CSVParser.parse(csv, StandardCharsets.UTF_8, CSVFormat.DEFAULT)) {
            List<List<String>> rows = new ArrayList<>();
            for (CSVRecord r : p) rows.add(r.toList());
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A result row's values as strings, without the error column (the caller checks it is null). */
    static List<String> values(Row r) {
        List<String> v = new ArrayList<>();
        for (int i = 0; i < r.length() - 1; i++) v.add(r.isNullAt(i) ? null : r.getString(i));
        return v;
    }

    /** A copy of {@code manifest} with only FileName (so every row is predicted: no Split_Set). */
    static Path fileNamesOnly(Path manifest, Path to, List<String> extraNames) throws IOException {
        List<List<String>> rows = records(manifest);
        int at = rows.getFirst().indexOf("FileName");
        StringBuilder sb = new StringBuilder("FileName\n");
        for (List<String> r : rows.subList(1, rows.size())) sb.append(r.get(at)).append('\n');
        for (String n : extraNames) sb.append(n).append('\n');
        Files.writeString(to, sb.toString());
        return to;
    }
}
