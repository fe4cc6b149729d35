package dev.vavl4j.spark;

import static dev.vavl4j.spark.SparkTests.fixture;
import static dev.vavl4j.spark.SparkTests.spark;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vavl4j.data.Corpus;
import dev.vavl4j.data.Manifest;
import dev.vavl4j.demo.DemoCorpus;
import dev.vavl4j.predict.Predictor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rows per second on the full demo corpus (960 utterances, every split): the scorer in local[2] against what
 * {@code vavl predict --threads 2} does in one process (read the corpus, {@link Predictor#predictUtterances}).
 * The model is the tests' tiny one unless {@code -Dvavl.spark.benchModel=DIR} names another trained run or checkpoint. Each side runs twice with its model loaded; the second, warm, run is reported.
 */
class ThroughputTest {
    @TempDir
    Path tmp;

    @Test
    void rowsPerSecond() throws IOException {
        DemoCorpus.Summary c = DemoCorpus.generate(tmp.resolve("demo"), 7);
        Path all = SparkTests.fileNamesOnly(c.manifest(), tmp.resolve("all.csv"), List.of());
        String model = System.getProperty("vavl.spark.benchModel", fixture().model().toString());
        int n = c.train() + c.dev() + c.test();

        double single = 0, spark = 0;
        // the model stays loaded across rounds on both sides (the scorer's executors keep theirs), so the warm
        // round times reading the features and scoring only
        try (Predictor p = Predictor.builder(Path.of(model)).device("cpu").threads(2).build()) {
            for (int round = 0; round < 2; round++) {
                long t0 = System.nanoTime();
                Corpus corpus = Corpus.load(Manifest.read(all, List.of(), Manifest.Mode.PREDICTION).rows(), c.features(),
                        p.config().audioDim(), p.config().visualDim(), p.maxFrames(), null);
                assertEquals(n, p.predictUtterances(corpus.utterances(), null).size());
                single = n / ((System.nanoTime() - t0) / 1e9);
            }
        }
        for (int round = 0; round < 2; round++) {
            long t0 = System.nanoTime();
            List<Row> rows = VavlScorer.builder(model).threads(2).build().scoreManifest(spark(), all.toString(), c.features().toString(), null)
                    .collectAsList();
            assertEquals(n, rows.size());
            spark = n / ((System.nanoTime() - t0) / 1e9);
        }
        double fast;
        long t0 = System.nanoTime();
        assertEquals(n, VavlScorer.builder(model).threads(2).exactBatches(false).build()
                .scoreManifest(spark(), all.toString(), c.features().toString(), null).collectAsList().size());
        fast = n / ((System.nanoTime() - t0) / 1e9);
        System.out.printf(Locale.ROOT, "vavl4j-spark throughput (%d rows, model %s): single process %.0f rows/s, local[2] exact batches %.0f rows/s, "
                + "local[2] --fast %.0f rows/s (%d cores)%n", n, model, single, spark, fast, Runtime.getRuntime().availableProcessors());
    }
}
