package dev.vavl4j.spark;

import static dev.vavl4j.spark.SparkTests.fixture;
import static dev.vavl4j.spark.SparkTests.spark;
import static dev.vavl4j.spark.SparkTests.values;
import static dev.vavl4j.spark.SparkTests.vavlPredict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.data.Features;
import dev.vavl4j.data.Npy;
import dev.vavl4j.demo.DemoCorpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scorer in {@code local[2]} against the real {@code vavl predict} on the same rows: equal row for row,
 * every character of every value (so every bit that reaches the CSV), from a manifest, from FileName rows and
 * from features held in the DataFrame; bad rows reported in {@code error}, the others unchanged.
 */
class VavlScorerTest {
    @TempDir
    Path tmp;

    private static VavlScorer scorer(boolean exact) {
        return VavlScorer.builder(fixture().model().toString()).threads(2).exactBatches(exact).build();
    }

    private static List<List<String>> body(List<List<String>> csv) {
        return csv.subList(1, csv.size());
    }

    private static List<List<String>> scored(Dataset<Row> rows) {
        List<List<String>> out = new ArrayList<>();
        for (Row r : rows.collectAsList()) {
            assertNull(r.get(r.length() - 1), () -> "error in " + r);
            out.add(values(r));
        }
        return out;
    }

    @Test
    void manifestTestSplitEqualsVavlPredict() {
        DemoCorpus.Summary c = fixture().corpus();
        List<List<String>> expected = vavlPredict(fixture().model(), c.manifest(), c.features(), tmp.resolve("p.csv"));
        VavlScorer s = scorer(true);
        Dataset<Row> rows = s.scoreManifest(spark(), c.manifest().toString(), c.features().toString(), null);
        List<String> header = new ArrayList<>(List.of(rows.columns()));
        assertEquals(ScoreFormat.ERROR, header.removeLast());
        assertEquals(expected.getFirst(), header);
        assertEquals(body(expected), scored(rows));
        assertEquals(c.test(), body(expected).size());
    }

    @Test
    void everyRowOfTheCorpusEqualsVavlPredict() throws IOException {
        DemoCorpus.Summary c = fixture().corpus();
        Path all = SparkTests.fileNamesOnly(c.manifest(), tmp.resolve("all.csv"), List.of());
        List<List<String>> expected = vavlPredict(fixture().model(), all, c.features(), tmp.resolve("p.csv"));
        assertTrue(expected.size() > 4 * 16, "several batches: " + expected.size());
        assertEquals(body(expected), scored(scorer(true).scoreManifest(spark(), all.toString(), c.features().toString(), null)));

        // the same from a DataFrame of FileName rows (other columns ignored), in more partitions than batches
        List<Row> names = body(expected).stream().map(r -> RowFactory.create(r.getFirst(), 7)).toList();
        StructType schema = new StructType().add("FileName", DataTypes.StringType).add("other", DataTypes.IntegerType);
        Dataset<Row> df = spark().createDataFrame(names, schema).repartition(5);
        Dataset<Row> byName = VavlScorer.builder(fixture().model().toString()).threads(2).partitions(3).build()
                .scoreFiles(df, c.features().toString());
        // repartition(5) shuffles the order; the set of answers per FileName is what vavl predict gives
        Map<String, List<String>> want = body(expected).stream().collect(Collectors.toMap(List::getFirst, r -> r));
        List<List<String>> got = scored(byName);
        assertEquals(want.size(), got.size());
        for (List<String> g : got) assertEquals(want.get(g.getFirst()), g);
    }

    @Test
    void featuresInTheDataFrameEqualVavlPredict() throws IOException {
        DemoCorpus.Summary c = fixture().corpus();
        Path all = SparkTests.fileNamesOnly(c.manifest(), tmp.resolve("all.csv"), List.of());
        List<List<String>> expected = vavlPredict(fixture().model(), all, c.features(), tmp.resolve("p.csv"));
        List<Row> rows = new ArrayList<>();
        for (List<String> r : body(expected)) {
            String stem = r.getFirst().replaceFirst("\\.[^./]*$", "");
            rows.add(RowFactory.create(r.getFirst(), nested(c.features().resolve("audio/" + stem + ".npy")),
                    flat(c.features().resolve("visual/" + stem + ".npy")), frames(c.features().resolve("visual/" + stem + ".npy"))));
        }
        // one bad row: audio of the wrong dimension
        rows.add(RowFactory.create("bad-dim.wav", List.of(new float[3], new float[3]), null, null));
        StructType schema = new StructType().add("FileName", DataTypes.StringType)
                .add("audio", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.FloatType)))
                .add("visual", DataTypes.createArrayType(DataTypes.FloatType))
                .add("visual_frames", DataTypes.IntegerType);
        Dataset<Row> df = spark().createDataFrame(rows, schema).coalesce(3);
        List<Row> out = scorer(true).scoreFeatures(df).collectAsList();
        assertEquals(rows.size(), out.size());
        Row bad = out.getLast();
        assertEquals("bad-dim.wav", bad.getString(0));
        assertNull(bad.get(1));
        assertEquals("bad-dim.wav: audio features have dim 3 (frame 0), the model expects " + DemoCorpus.AUDIO_DIM, bad.getString(bad.length() - 1));
        assertEquals(body(expected), scored(spark().createDataFrame(out.subList(0, out.size() - 1), out.getFirst().schema())));
    }

    @Test
    void badRowsAreReportedAndTheOthersStayExact() throws IOException {
        DemoCorpus.Summary c = fixture().corpus();
        Path good = SparkTests.fileNamesOnly(c.manifest(), tmp.resolve("good.csv"), List.of());
        List<List<String>> expected = vavlPredict(fixture().model(), good, c.features(), tmp.resolve("p.csv"));
        // a copy of the features plus one file of the wrong dimension, and a row with no features at all
        Path linked = tmp.resolve("linked");
        Files.createDirectories(linked);
        copyTree(c.features(), linked);
        Npy.write(linked.resolve("visual/WRONG_DIM.npy"), new Features(new float[14], 2, 7));
        Path bad = SparkTests.fileNamesOnly(c.manifest(), tmp.resolve("bad.csv"), List.of("WRONG_DIM.wav", "GHOST.wav"));
        List<Row> out = scorer(true).scoreManifest(spark(), bad.toString(), linked.toString(), null).collectAsList();
        assertEquals(body(expected).size() + 2, out.size());
        Row wrong = out.get(out.size() - 2), ghost = out.getLast();
        String wrongError = wrong.getString(wrong.length() - 1), ghostError = ghost.getString(ghost.length() - 1);
        assertNotNull(wrongError);
        assertTrue(wrongError.contains("WRONG_DIM.npy") && wrongError.contains("7") && wrongError.contains(String.valueOf(DemoCorpus.VISUAL_DIM)), wrongError);
        assertTrue(ghostError.contains("GHOST") && ghostError.contains("neither audio nor visual"), ghostError);
        assertEquals(1, wrongError.lines().count());
        assertEquals(body(expected), scored(spark().createDataFrame(out.subList(0, out.size() - 2), out.getFirst().schema())));
    }

    @Test
    void fastModeAgreesWithinTheBatchTolerance() throws IOException {
        DemoCorpus.Summary c = fixture().corpus();
        Path all = SparkTests.fileNamesOnly(c.manifest(), tmp.resolve("all.csv"), List.of());
        List<List<String>> expected = body(vavlPredict(fixture().model(), all, c.features(), tmp.resolve("p.csv")));
        List<List<String>> got = scored(scorer(false).scoreManifest(spark(), all.toString(), c.features().toString(), null));
        assertEquals(expected.size(), got.size());
        for (int i = 0; i < got.size(); i++) {
            assertEquals(expected.get(i).subList(0, 2), got.get(i).subList(0, 2));
            for (int k = 3; k < got.get(i).size(); k++) {
                double want = Double.parseDouble(expected.get(i).get(k)), have = Double.parseDouble(got.get(i).get(k));
                assertEquals(want, have, 2e-5, "row " + i + " column " + k);
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
    }

    private static List<float[]> nested(Path npy) {
        if (!Files.exists(npy)) return null;
        Features f = Npy.read(npy);
        List<float[]> frames = new ArrayList<>();
        for (int t = 0; t < f.frames(); t++) frames.add(java.util.Arrays.copyOfRange(f.values(), t * f.dim(), (t + 1) * f.dim()));
        return frames;
    }

    private static float[] flat(Path npy) {
        return Files.exists(npy) ? Npy.read(npy).values() : null;
    }

    private static Integer frames(Path npy) {
        return Files.exists(npy) ? Npy.read(npy).frames() : null;
    }
}
