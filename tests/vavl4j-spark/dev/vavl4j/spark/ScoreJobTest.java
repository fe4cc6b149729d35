package dev.vavl4j.spark;

import static dev.vavl4j.spark.SparkTests.fixture;
import static dev.vavl4j.spark.SparkTests.spark;
import static dev.vavl4j.spark.SparkTests.values;
import static dev.vavl4j.spark.SparkTests.vavlPredict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.demo.DemoCorpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spark-submit job: its CSV lines are vavl predict's lines (plus the empty error field), its Parquet the same values. */
class ScoreJobTest {
    @TempDir
    Path tmp;

    private static ScoreJob.Options options(Path out, String format) {
        DemoCorpus.Summary c = fixture().corpus();
        return ScoreJob.Options.parse("--model", fixture().model().toString(), "--manifest", c.manifest().toString(),
                "--features", c.features().toString(), "--out", out.toString(), "--format", format, "--threads", "2");
    }

    @Test
    void csvLinesAreVavlPredictLines() throws IOException {
        DemoCorpus.Summary c = fixture().corpus();
        Path expectedCsv = tmp.resolve("expected.csv");
        vavlPredict(fixture().model(), c.manifest(), c.features(), expectedCsv);
        ScoreJob.Summary s = ScoreJob.run(spark(), options(tmp.resolve("out"), "csv"));
        assertEquals(c.test(), s.rows());
        assertEquals(0, s.errors());

        List<String> expected = Files.readString(expectedCsv).lines().toList();
        List<Path> parts;
        try (var files = Files.list(tmp.resolve("out"))) {
            parts = files.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList();
        }
        List<String> got = new ArrayList<>();
        String header = null;
        for (Path p : parts) {
            String text = Files.readString(p);
            assertTrue(text.isEmpty() || text.contains("\r\n"), "CRLF line ends, as vavl predict");
            List<String> lines = text.lines().toList();
            if (lines.isEmpty()) continue;
            header = lines.getFirst();
            got.addAll(lines.subList(1, lines.size()));
        }
        assertEquals(expected.getFirst() + "," + ScoreFormat.ERROR, header);
        assertEquals(expected.subList(1, expected.size()).stream().map(l -> l + ",").toList(), got);
    }

    @Test
    void parquetHoldsTheSameValues() {
        DemoCorpus.Summary c = fixture().corpus();
        List<List<String>> expected = vavlPredict(fixture().model(), c.manifest(), c.features(), tmp.resolve("expected.csv"));
        ScoreJob.run(spark(), options(tmp.resolve("out.parquet"), "parquet"));
        List<Row> rows = spark().read().parquet(tmp.resolve("out.parquet").toString()).orderBy("FileName").collectAsList();
        List<List<String>> want = new ArrayList<>(expected.subList(1, expected.size()));
        want.sort(java.util.Comparator.comparing(List::getFirst));
        assertEquals(want, rows.stream().map(SparkTests::values).toList());
    }

    @Test
    void usageErrorsAreOneLine() {
        var e = assertThrows(ScoreJob.UsageException.class, () -> ScoreJob.Options.parse("--model", "m", "--format", "orc"));
        assertEquals("missing --manifest, --features, --out; usage: " + ScoreJob.USAGE, e.getMessage());
        e = assertThrows(ScoreJob.UsageException.class, () -> ScoreJob.Options.parse("--model", "m", "--manifest", "x", "--features", "f",
                "--out", "o", "--format", "orc"));
        assertEquals("--format orc: expected parquet or csv", e.getMessage());
        e = assertThrows(ScoreJob.UsageException.class, () -> ScoreJob.Options.parse("--threads", "-1"));
        assertEquals("--threads -1: expected a whole number ≥ 0", e.getMessage());
    }
}
