package dev.vavl4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.InvalidInputException;
import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.data.Corpus;
import dev.vavl4j.demo.DemoCorpus;
import dev.vavl4j.predict.Predictor;
import dev.vavl4j.testutil.TinyRuns;
import dev.vavl4j.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The features' front-end record (FEATURES/frontend.json) travels into the checkpoint: training copies it,
 * loading and export keep it, the predictor hands it out, a resume on features of another front end is
 * refused, and a damaged record is an error naming the file.
 */
class FrontEndRecordTest {
    private static final String RECORD = "{\"format\":\"vavl4j-frontend\",\"format_version\":1,\"audio\":{\"spec\":\"fbank\",\"name\":\"fbank\",\"settings\":{\"num_mel_bins\":\"80\"}}}";

    @Test
    void trainingCopiesTheRecordAndEveryLoadKeepsIt(@TempDir Path tmp) throws Exception {
        DemoCorpus.Summary c = TinyRuns.corpus(tmp.resolve("corpus"), 5);
        Files.writeString(c.features().resolve(Corpus.FRONT_END_RECORD), RECORD);
        Path run = tmp.resolve("run");
        Trainer.run(TinyRuns.request(c, run, TinyRuns.settings(1, 3), false), new CpuBackend(), null);
        Checkpoint best = Checkpoint.load(run);
        assertEquals(RECORD, best.frontEndJson());
        assertEquals(RECORD, Checkpoint.loadForInference(run).frontEndJson());
        Path export = tmp.resolve("export");
        best.forInference().save(export);
        assertEquals(RECORD, Checkpoint.loadForInference(export).frontEndJson());
        try (Predictor p = Predictor.load(export, new CpuBackend())) {
            assertEquals(RECORD, p.frontEndJson());
        }
    }

    @Test
    void featuresWithoutARecordGiveNone(@TempDir Path tmp) throws Exception {
        DemoCorpus.Summary c = TinyRuns.corpus(tmp.resolve("corpus"), 5);
        Path run = tmp.resolve("run");
        TinyRuns.train(c, run, 1);
        assertNull(Checkpoint.load(run).frontEndJson());
        assertTrue(Files.readString(run.resolve("best/checkpoint.json")).indexOf("front_end") < 0);
    }

    @Test
    void resumeRefusesFeaturesOfAnotherFrontEnd(@TempDir Path tmp) throws Exception {
        DemoCorpus.Summary c = TinyRuns.corpus(tmp.resolve("corpus"), 5);
        Path record = c.features().resolve(Corpus.FRONT_END_RECORD);
        Files.writeString(record, RECORD);
        Path run = tmp.resolve("run");
        Trainer.run(TinyRuns.request(c, run, TinyRuns.settings(1, 3), false), new CpuBackend(), null);
        Files.writeString(record, RECORD.replace("\"80\"", "\"64\""));
        var e = assertThrows(InvalidInputException.class,
                () -> Trainer.run(TinyRuns.request(c, run, TinyRuns.settings(2, 3), true), new CpuBackend(), null));
        assertTrue(e.getMessage().startsWith(record.toString()) && e.getMessage().contains("differs"), e.getMessage());
        Files.delete(record);
        e = assertThrows(InvalidInputException.class,
                () -> Trainer.run(TinyRuns.request(c, run, TinyRuns.settings(2, 3), true), new CpuBackend(), null));
        assertTrue(e.getMessage().contains("is missing"), e.getMessage());
        Files.writeString(record, RECORD);
        Trainer.run(TinyRuns.request(c, run, TinyRuns.settings(2, 3), true), new CpuBackend(), null);
        assertEquals(RECORD, Checkpoint.load(run.resolve("last")).frontEndJson());
    }

    @Test
    void aBadRecordIsAnErrorNamingTheFile(@TempDir Path tmp) throws Exception {
        DemoCorpus.Summary c = TinyRuns.corpus(tmp.resolve("corpus"), 5);
        Path record = c.features().resolve(Corpus.FRONT_END_RECORD);
        Files.writeString(record, "[1, 2]");
        var e = assertThrows(InvalidInputException.class, () -> TinyRuns.train(c, tmp.resolve("run"), 1));
        assertTrue(e.getMessage().startsWith(record.toString()), e.getMessage());
    }

    @Test
    void checkpointJsonWithANonObjectFrontEndIsRefused(@TempDir Path tmp) throws Exception {
        DemoCorpus.Summary c = TinyRuns.corpus(tmp.resolve("corpus"), 5);
        Files.writeString(c.features().resolve(Corpus.FRONT_END_RECORD), RECORD);
        Path run = tmp.resolve("run");
        Trainer.run(TinyRuns.request(c, run, TinyRuns.settings(1, 3), false), new CpuBackend(), null);
        Path meta = run.resolve("best/checkpoint.json");
        var json = dev.vavl4j.io.JsonFiles.strictMapper(com.fasterxml.jackson.databind.ObjectMapper.class);
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(Files.readString(meta));
        tree.put("front_end", "fbank");
        Files.writeString(meta, json.writeValueAsString(tree));
        var e = assertThrows(InvalidInputException.class, () -> Checkpoint.load(run));
        assertTrue(e.getMessage().contains("field 'front_end'"), e.getMessage());
    }
}
