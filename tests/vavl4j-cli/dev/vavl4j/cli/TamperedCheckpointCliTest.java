package dev.vavl4j.cli;

import static dev.vavl4j.cli.CliCorpusKit.assertUserError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.checkpoint.Checkpoint;
import dev.vavl4j.demo.DemoCorpus;
import dev.vavl4j.io.HostTensor;
import dev.vavl4j.testutil.CheckpointTamper;
import dev.vavl4j.testutil.TinyRuns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 item 3 through the CLI: {@code info} loads a checkpoint exactly as predict, evaluate and resume do,
 * so a damaged one fails there too (exit 2, one line naming the file); {@code evaluate} and {@code predict}
 * on weights that overflow exit 2 naming the model instead of reporting NaN scores with exit 0.
 */
class TamperedCheckpointCliTest {
    @TempDir
    static Path tmp;
    static DemoCorpus.Summary corpus;
    static Checkpoint trained;
    static int copies;

    @BeforeAll
    static void train() throws IOException {
        corpus = TinyRuns.corpus(tmp.resolve("corpus"), 12);
        TinyRuns.train(corpus, tmp.resolve("run"), 2);
        trained = Checkpoint.load(tmp.resolve("run/last"));
    }

    private static Path copy() throws IOException {
        Path dir = tmp.resolve("copy-" + copies++);
        trained.save(dir);
        return dir;
    }

    @Test
    void infoDescribesAnIntactCheckpoint() throws IOException {
        CliHarness.Run r = CliHarness.run("info", "--model", copy().toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("2 epochs done"), r.toString());
    }

    @Test
    void infoRefusesANanWeightEvenWithMatchingChecksums() throws IOException {
        Path dir = copy();
        CheckpointTamper.editTensors(dir, "model.safetensors", t -> CheckpointTamper.setElement(t, "head.audio.out.bias", 0, Float.NaN));
        CheckpointTamper.rehash(dir);
        assertUserError(CliHarness.run("info", "--model", dir.toString()), "info", dir.resolve("model.safetensors").toString(),
                "head.audio.out.bias", "NaN");
    }

    @Test
    void infoRefusesAFlippedBit() throws IOException {
        Path dir = copy();
        CheckpointTamper.flipLowBitOfFirstValue(dir.resolve("model.safetensors"));
        assertUserError(CliHarness.run("info", "--model", dir.toString()), "info", dir.resolve("model.safetensors").toString(), "SHA-256");
    }

    @Test
    void infoRefusesATrainingStateWithAShortHistory() throws IOException {
        Path dir = copy();
        CheckpointTamper.editMeta(dir, m -> ((ArrayNode) m.get("training").get("history")).remove(1));
        CliHarness.Run r = CliHarness.run("info", "--model", dir.toString());
        assertUserError(r, "info", dir.resolve("checkpoint.json").toString(), "history");
        assertFalse(r.out().contains("checkpoint:"), "nothing is described before the error:\n" + r);
    }

    @Test
    void infoRefusesATrainingStateMissingASetting() throws IOException {
        Path dir = copy();
        CheckpointTamper.editMeta(dir, m -> ((ObjectNode) m.get("training").get("settings")).remove("batch_size"));
        assertUserError(CliHarness.run("info", "--model", dir.toString()), "info", dir.resolve("checkpoint.json").toString(), "batch_size");
    }

    @Test
    void evaluateAndPredictRefuseNonFiniteScores() throws IOException {
        Path dir = copy();
        CheckpointTamper.editTensors(dir, "model.safetensors", t -> {
            for (String head : new String[] {"audio", "visual", "fusion"}) {
                HostTensor b = t.get("head." + head + ".fc2.bias");
                float[] v = new float[b.size()];
                java.util.Arrays.fill(v, 100f);
                t.put("head." + head + ".fc2.bias", HostTensor.ofFloats(v, b.shape()));
                HostTensor w = t.get("head." + head + ".out.weight");
                float[] x = w.floats().clone();
                java.util.Arrays.fill(x, Float.MAX_VALUE);
                t.put("head." + head + ".out.weight", HostTensor.ofFloats(x, w.shape()));
            }
        });
        CheckpointTamper.rehash(dir);
        String manifest = corpus.manifest().toString(), features = corpus.features().toString();
        assertUserError(CliHarness.run("evaluate", "--model", dir.toString(), "--manifest", manifest, "--features", features, "--device", "cpu"),
                "evaluate", dir.toString(), "head gives");
        Path csv = tmp.resolve("predictions-" + copies + ".csv");
        assertUserError(CliHarness.run("predict", "--model", dir.toString(), "--manifest", manifest, "--features", features,
                "--out", csv.toString(), "--device", "cpu"), "predict", dir.toString(), "head gives");
        assertFalse(Files.exists(csv), "no CSV of NaN scores");
    }
}
