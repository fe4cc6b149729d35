package dev.vavl4j.cli;

import static dev.vavl4j.cli.CliCorpusKit.assertNoCheckpoint;
import static dev.vavl4j.cli.CliCorpusKit.assertUserError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.data.Features;
import dev.vavl4j.data.Npy;
import dev.vavl4j.testutil.TinyRuns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad corpora, configs and options for train / evaluate / predict: exit code 2, one line on stderr naming
 * the file, line, column and value as they apply, no stack trace, and no checkpoint or output file written.
 */
class CorpusBadInputCliTest {
    @TempDir
    static Path shared;
    @TempDir
    Path tmp;

    static Path base, config, model;
    static List<CSVRecord> rows;

    @BeforeAll
    static void corpusAndModel() throws IOException {
        base = TinyRuns.corpus(shared.resolve("base"), 55).manifest().getParent();
        rows = CliCorpusKit.rows(base.resolve("manifest.csv"));
        config = CliCorpusKit.tinyConfig(shared.resolve("tiny.json"), 1);
        model = shared.resolve("model");
        CliHarness.Run r = CliCorpusKit.run(CliCorpusKit.trainArgs(base, config, model, 1));
        assertEquals(0, r.exit(), r.toString());
    }

    /** A fresh copy of the generated corpus for one test to damage. */
    private Path corpus() throws IOException {
        return CliCorpusKit.copyTree(base, tmp.resolve("corpus"));
    }

    /** The stem of the {@code k}-th row of a split that has the given modality file. */
    private static String stemWith(Path corpus, String split, String modality, int k) {
        return rows.stream().filter(r -> r.get("Split_Set").equals(split)).map(CliCorpusKit::stem)
                .filter(s -> Files.exists(corpus.resolve("features").resolve(modality).resolve(s + ".npy")))
                .skip(k).findFirst().orElseThrow();
    }

    /** Trains on {@code corpus} into tmp/out and checks a user error naming every {@code parts}, with nothing written. */
    private String trainFails(Path corpus, String... parts) throws IOException {
        Path out = tmp.resolve("out");
        CliHarness.Run r = CliCorpusKit.run(CliCorpusKit.trainArgs(corpus, config, out, 1));
        String msg = assertUserError(r, "train", parts);
        assertNoCheckpoint(out);
        assertFalse(Files.exists(out.resolve("learning-curve.png")), "no learning curve");
        return msg;
    }

    private CliHarness.Run train(List<String> args) {
        return CliCorpusKit.run(args);
    }

    // ---- feature files ----

    @Test
    void truncatedNpy() throws IOException {
        Path c = corpus();
        Path f = c.resolve("features/audio").resolve(stemWith(c, "Train", "audio", 4) + ".npy");
        byte[] b = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(b, b.length - 7));
        trainFails(c, f.toString(), "truncated");
    }

    @Test
    void npyTruncatedInsideItsHeader() throws IOException {
        Path c = corpus();
        Path f = c.resolve("features/visual").resolve(stemWith(c, "Development", "visual", 2) + ".npy");
        byte[] b = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(b, 30));
        trainFails(c, f.toString(), "truncated");
    }

    @Test
    void fileThatIsNotNpy() throws IOException {
        Path c = corpus();
        Path f = c.resolve("features/visual").resolve(stemWith(c, "Train", "visual", 7) + ".npy");
        Files.writeString(f, "frame,d0,d1\n0,0.5,0.25\n");
        trainFails(c, f.toString(), "not an NPY file");
    }

    @Test
    void nanInAFeature() throws IOException {
        Path c = corpus();
        Path f = c.resolve("features/audio").resolve(stemWith(c, "Train", "audio", 10) + ".npy");
        CliCorpusKit.poke(f, 2 * 20 + 3, Float.NaN); // frame 2, dim 3 of a [T, 20] file
        trainFails(c, f.toString(), "NaN", "frame 2", "dim 3");
    }

    @Test
    void infinityInAFeature() throws IOException {
        Path c = corpus();
        Path f = c.resolve("features/visual").resolve(stemWith(c, "Development", "visual", 1) + ".npy");
        CliCorpusKit.poke(f, 12 + 5, Float.NEGATIVE_INFINITY); // frame 1, dim 5 of a [T, 12] file
        trainFails(c, f.toString(), "infinite", "frame 1", "dim 5");
    }

    @Test
    void wrongFeatureDimensionInOneFile() throws IOException {
        Path c = corpus();
        Path f = c.resolve("features/audio").resolve(stemWith(c, "Train", "audio", 12) + ".npy");
        Npy.write(f, new Features(new float[30 * 19], 30, 19));
        trainFails(c, f.toString(), "19", "20");
    }

    @Test
    void missingFeaturesDirectory() throws IOException {
        Path c = corpus();
        Path out = tmp.resolve("out");
        List<String> args = CliCorpusKit.trainArgs(c, config, out, 1);
        args.set(args.indexOf("--features") + 1, c.resolve("no-such-dir").toString());
        assertUserError(train(args), "train", c.resolve("no-such-dir").toString());
        assertNoCheckpoint(out);
    }

    // ---- manifest ----

    @Test
    void unknownSplitSetValue() throws IOException {
        Path c = corpus();
        CliCorpusKit.editLines(c.resolve("manifest.csv"), l -> {
            l.set(9, l.get(9).replace(",Train", ",Validation"));
            return l;
        });
        trainFails(c, c.resolve("manifest.csv").toString(), "line 10", "Split_Set", "'Validation'");
    }

    @Test
    void nonNumericLabel() throws IOException {
        Path c = corpus();
        CliCorpusKit.editLines(c.resolve("manifest.csv"), l -> {
            String[] f = l.get(5).split(",", -1);
            f[2] = "high"; // the 'happy' column
            l.set(5, String.join(",", f));
            return l;
        });
        trainFails(c, c.resolve("manifest.csv").toString(), "line 6", "'happy'", "'high'");
    }

    @Test
    void labelColumnNotInTheManifest() throws IOException {
        Path out = tmp.resolve("out");
        List<String> args = CliCorpusKit.trainArgs(base, config, out, 1);
        args.set(args.indexOf("--labels") + 1, "angry,happy,neutral,fear");
        assertUserError(train(args), "train", base.resolve("manifest.csv").toString(), "'fear'");
        assertNoCheckpoint(out);
    }

    @Test
    void labelsWithSpacesAfterCommasAreTheSameColumnsAndAnEmptyNameIsAnError() throws IOException {
        Path out = tmp.resolve("spaced");
        List<String> args = CliCorpusKit.trainArgs(base, config, out, 1);
        args.set(args.indexOf("--labels") + 1, "angry, happy, neutral, sad");
        CliHarness.Run ok = train(args);
        assertEquals(0, ok.exit(), ok.toString());
        assertTrue(Files.exists(out.resolve("best").resolve("model.safetensors")));

        Path out2 = tmp.resolve("emptyname");
        List<String> bad = CliCorpusKit.trainArgs(base, config, out2, 1);
        bad.set(bad.indexOf("--labels") + 1, "angry,,neutral,sad");
        assertUserError(train(bad), "train", "--labels", "empty column name");
        assertNoCheckpoint(out2);
    }

    @Test
    void missingFileNameColumn() throws IOException {
        Path c = corpus();
        CliCorpusKit.editLines(c.resolve("manifest.csv"), l -> {
            l.set(0, l.get(0).replace("FileName", "File"));
            return l;
        });
        trainFails(c, c.resolve("manifest.csv").toString(), "'FileName'");
    }

    @Test
    void emptyDevelopmentSplit() throws IOException {
        Path c = corpus();
        CliCorpusKit.editLines(c.resolve("manifest.csv"), l -> l.stream().map(x -> x.replace(",Development", ",Test")).toList());
        trainFails(c, c.resolve("manifest.csv").toString(), "Development");
    }

    @Test
    void trainSplitWithOneUtterance() throws IOException {
        Path c = corpus();
        CliCorpusKit.editLines(c.resolve("manifest.csv"), l -> {
            List<String> k = new ArrayList<>(l.stream().filter(x -> !x.endsWith(",Train")).toList());
            k.add(1, l.stream().filter(x -> x.endsWith(",Train")).findFirst().orElseThrow());
            return k;
        });
        trainFails(c, c.resolve("manifest.csv").toString(), "Train", "1 utterances");
    }

    @Test
    void regressionOnAColumnThatIsConstantInTrain() throws IOException {
        Path c = corpus();
        CliCorpusKit.editLines(c.resolve("manifest.csv"), l -> l.stream().map(x -> {
            if (!x.endsWith(",Train")) return x;
            String[] f = x.split(",", -1);
            f[1] = "0.500";
            return String.join(",", f);
        }).toList());
        Path out = tmp.resolve("out");
        List<String> args = CliCorpusKit.trainArgs(c, config, out, 1);
        args.set(args.indexOf("--task") + 1, "regression");
        args.set(args.indexOf("--labels") + 1, "angry,sad");
        assertUserError(train(args), "train", c.resolve("manifest.csv").toString(), "'angry'", "constant");
        assertNoCheckpoint(out);
    }

    @Test
    void classificationWithOneLabelColumn() throws IOException {
        Path out = tmp.resolve("out");
        List<String> args = CliCorpusKit.trainArgs(base, config, out, 1);
        args.set(args.indexOf("--labels") + 1, "angry");
        assertUserError(train(args), "train", "classification", "2", "1");
        assertNoCheckpoint(out);
    }

    @Test
    void manifestWithOnlyAHeader() throws IOException {
        Path c = corpus();
        CliCorpusKit.editLines(c.resolve("manifest.csv"), l -> List.of(l.getFirst()));
        trainFails(c, c.resolve("manifest.csv").toString(), "no data rows");
    }

    @Test
    void missingManifest() throws IOException {
        Path c = corpus();
        Files.delete(c.resolve("manifest.csv"));
        trainFails(c, c.resolve("manifest.csv").toString(), "not found");
    }

    // ---- config and options ----

    /**
     * A typo in --config must be reported naming the key and the --config file. Today the line is
     * "vavl train: model configuration: unknown key 'modle_dim' (known: ...)": the file is not named (the
     * keys are validated by Trainer.config as "model configuration", after every feature file was loaded).
     */
    @Test
    void configWithAnUnknownKeyNamesTheKeyAndTheFile() throws IOException {
        Path bad = tmp.resolve("typo.json");
        Files.writeString(bad, "{\"model_dim\": 16, \"heads\": 2, \"modle_dim\": 16}");
        Path out = tmp.resolve("out");
        List<String> args = CliCorpusKit.trainArgs(base, config, out, 1);
        args.set(args.indexOf("--config") + 1, bad.toString());
        assertUserError(train(args), "train", "'modle_dim'", bad.toString());
        assertNoCheckpoint(out);
    }

    @Test
    void configThatIsNotJson() throws IOException {
        Path bad = tmp.resolve("config.yaml");
        Files.writeString(bad, "model_dim: 16\nheads: 2\n");
        Path out = tmp.resolve("out");
        List<String> args = CliCorpusKit.trainArgs(base, config, out, 1);
        args.set(args.indexOf("--config") + 1, bad.toString());
        assertUserError(train(args), "train", bad.toString(), "JSON");
        assertNoCheckpoint(out);
    }

    /** Same for a trainer key: today "vavl train: training settings: 'batch_size' must be an integer, got "eight"". */
    @Test
    void configWithAWrongTrainerValueNamesTheKeyAndTheFile() throws IOException {
        Path bad = tmp.resolve("batch.json");
        Files.writeString(bad, "{\"batch_size\": \"eight\"}");
        Path out = tmp.resolve("out");
        List<String> args = CliCorpusKit.trainArgs(base, config, out, 1);
        args.set(args.indexOf("--config") + 1, bad.toString());
        assertUserError(train(args), "train", "'batch_size'", "\"eight\"", bad.toString());
        assertNoCheckpoint(out);
    }

    @Test
    void unknownTask() throws IOException {
        Path out = tmp.resolve("out");
        List<String> args = CliCorpusKit.trainArgs(base, config, out, 1);
        args.set(args.indexOf("--task") + 1, "foo");
        assertUserError(train(args), "train", "--task", "'foo'");
        assertNoCheckpoint(out);
    }

    @Test
    void deviceCudaIsOneClearLine() throws IOException {
        Path out = tmp.resolve("out");
        List<String> args = CliCorpusKit.trainArgs(base, config, out, 1);
        args.set(args.indexOf("--device") + 1, "cuda");
        CliHarness.Run r = train(args);
        assertUserError(r, "train", "cuda", "CUDA");
        assertEquals(1, r.errLines().size(), "only that line on stderr:\n" + r);
        assertNoCheckpoint(out);
        CliHarness.Run e = CliHarness.run("evaluate", "--model", model.toString(), "--manifest", base.resolve("manifest.csv").toString(),
                "--features", base.resolve("features").toString(), "--device", "cuda");
        assertUserError(e, "evaluate", "CUDA");
        assertEquals(1, e.errLines().size(), e.toString());
    }

    @Test
    void deviceAutoTrainsOnTheCpuAndSaysSo() throws IOException {
        Path out = tmp.resolve("out");
        List<String> args = CliCorpusKit.trainArgs(base, config, out, 1);
        args.set(args.indexOf("--device") + 1, "auto");
        CliHarness.Run r = train(args);
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.errLines().getFirst().contains("auto chose cpu"), r.toString());
        assertTrue(Files.isRegularFile(out.resolve("best/model.safetensors")), r.toString());
    }

    /**
     * A run that diverges in its first epoch stops with exit 2 and saves nothing. Its message must not
     * claim that OUT/last holds anything: today it ends "OUT/last keeps epoch 0" although no OUT/last exists.
     */
    @Test
    void divergingTrainingStopsWithoutACheckpoint() throws IOException {
        Path huge = tmp.resolve("huge-lr.json");
        Files.writeString(huge, CliCorpusKit.JSON.writeValueAsString(TinyRuns.tinyModel().put("lr", 1e30).put("batch_size", 8)));
        Path out = tmp.resolve("out");
        List<String> args = CliCorpusKit.trainArgs(base, huge, out, 1);
        String msg = assertUserError(train(args), "train", "epoch 1", "diverged", "lr");
        assertNoCheckpoint(out);
        assertFalse(msg.contains("keeps epoch 0"), "the message points at a checkpoint that was never written:\n" + msg);
    }

    /**
     * An --out that cannot be a directory (here a regular file) is a user error naming it, and the file is
     * left alone. It should be found before any training: today Trainer.run never checks --out up front, so it
     * loads every feature file and trains a whole epoch (the dev evaluation included) before the first
     * checkpoint save fails with "a file is in the way of a directory".
     */
    @Test
    void outThatIsARegularFile() throws IOException {
        Path file = Files.writeString(tmp.resolve("out.txt"), "keep");
        CliHarness.Run r = CliCorpusKit.run(CliCorpusKit.trainArgs(base, config, file, 1));
        assertUserError(r, "train", file.toString());
        assertEquals("keep", Files.readString(file));
        assertFalse(r.out().contains("audio_loss"), "fails before training starts:\n" + r);
    }

    // ---- evaluate / predict ----

    private static List<String> corpusArgs(String cmd, Path modelDir, Path corpus) {
        return new ArrayList<>(List.of(cmd, "--model", modelDir.toString(), "--manifest", corpus.resolve("manifest.csv").toString(),
                "--features", corpus.resolve("features").toString(), "--device", "cpu"));
    }

    @Test
    void evaluateWithAnUnknownSplit() throws IOException {
        Path json = tmp.resolve("m.json");
        List<String> args = corpusArgs("evaluate", model, base);
        args.addAll(List.of("--split", "Foo", "--json", json.toString()));
        assertUserError(CliCorpusKit.run(args), "evaluate", "--split", "'Foo'");
        assertFalse(Files.exists(json));
    }

    @Test
    void evaluateAndPredictWithAModelDirectoryThatIsNotACheckpoint() throws IOException {
        Path notModel = Files.createDirectories(tmp.resolve("not-a-model"));
        Files.writeString(notModel.resolve("model.safetensors"), "nope");
        Path json = tmp.resolve("m.json"), csv = tmp.resolve("p.csv");
        List<String> e = corpusArgs("evaluate", notModel, base);
        e.addAll(List.of("--json", json.toString()));
        assertUserError(CliCorpusKit.run(e), "evaluate", notModel.toString(), "not a checkpoint");
        List<String> p = corpusArgs("predict", notModel, base);
        p.addAll(List.of("--out", csv.toString()));
        assertUserError(CliCorpusKit.run(p), "predict", notModel.toString(), "not a checkpoint");
        assertUserError(CliHarness.run("info", "--model", notModel.toString()), "info", notModel.toString());
        Path missing = tmp.resolve("missing-model");
        assertUserError(CliHarness.run("info", "--model", missing.toString()), "info", missing.toString());
        assertFalse(Files.exists(json));
        assertFalse(Files.exists(csv));
    }

    @Test
    void evaluateOnASplitWithNoRows() throws IOException {
        Path c = corpus();
        CliCorpusKit.editLines(c.resolve("manifest.csv"), l -> l.stream().map(x -> x.replace(",Test", ",Development")).toList());
        Path json = tmp.resolve("m.json");
        List<String> args = corpusArgs("evaluate", model, c);
        args.addAll(List.of("--split", "Test", "--json", json.toString()));
        assertUserError(CliCorpusKit.run(args), "evaluate", c.resolve("manifest.csv").toString(), "Test");
        assertFalse(Files.exists(json));
    }

    @Test
    void predictOnASplitWhereNoRowHasFeatures() throws IOException {
        Path c = corpus();
        for (CSVRecord r : rows) {
            if (!r.get("Split_Set").equals("Test")) continue;
            Files.deleteIfExists(c.resolve("features/audio").resolve(CliCorpusKit.stem(r) + ".npy"));
            Files.deleteIfExists(c.resolve("features/visual").resolve(CliCorpusKit.stem(r) + ".npy"));
        }
        Path csv = tmp.resolve("p.csv");
        List<String> args = corpusArgs("predict", model, c);
        args.addAll(List.of("--out", csv.toString()));
        assertUserError(CliCorpusKit.run(args), "predict", c.resolve("manifest.csv").toString(), "Test");
        assertFalse(Files.exists(csv));
    }

    @Test
    void predictWithFeaturesOfTheWrongDimensionForTheModel() throws IOException {
        Path c = corpus();
        Path f = c.resolve("features/visual").resolve(stemWith(c, "Test", "visual", 3) + ".npy");
        SplittableRandom rnd = new SplittableRandom(1);
        float[] v = new float[25 * 13];
        for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian();
        Npy.write(f, new Features(v, 25, 13));
        Path csv = tmp.resolve("p.csv");
        List<String> args = corpusArgs("predict", model, c);
        args.addAll(List.of("--out", csv.toString()));
        assertUserError(CliCorpusKit.run(args), "predict", f.toString(), "13", "12");
        assertFalse(Files.exists(csv));
        Path json = tmp.resolve("m.json");
        List<String> e = corpusArgs("evaluate", model, c);
        e.addAll(List.of("--json", json.toString()));
        assertUserError(CliCorpusKit.run(e), "evaluate", f.toString(), "13", "12");
        assertFalse(Files.exists(json));
    }

    @Test
    void evaluateNeedsTheModelsLabelColumnsButPredictDoesNot() throws IOException {
        Path c = corpus();
        // keep only FileName and Split_Set
        CliCorpusKit.editLines(c.resolve("manifest.csv"), l -> l.stream().map(x -> {
            String[] f = x.split(",", -1);
            return f[0] + "," + f[6];
        }).toList());
        Path json = tmp.resolve("m.json"), csv = tmp.resolve("p.csv");
        List<String> e = corpusArgs("evaluate", model, c);
        e.addAll(List.of("--json", json.toString()));
        assertUserError(CliCorpusKit.run(e), "evaluate", c.resolve("manifest.csv").toString(), "'angry'");
        assertFalse(Files.exists(json));
        List<String> p = corpusArgs("predict", model, c);
        p.addAll(List.of("--out", csv.toString()));
        CliHarness.Run r = CliCorpusKit.run(p);
        assertEquals(0, r.exit(), r.toString());
        assertEquals(21, Files.readAllLines(csv).size(), "header and the 20 Test rows");
    }

    @Test
    void predictIntoADirectory() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("a-dir"));
        List<String> args = corpusArgs("predict", model, base);
        args.addAll(List.of("--out", dir.toString()));
        assertUserError(CliCorpusKit.run(args), "predict", dir.toString(), "directory");
    }

    @Test
    void evaluateJsonIntoADirectory() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("json-dir"));
        List<String> args = corpusArgs("evaluate", model, base);
        args.addAll(List.of("--json", dir.toString()));
        assertUserError(CliCorpusKit.run(args), "evaluate", dir.toString(), "is a directory");
    }
}
