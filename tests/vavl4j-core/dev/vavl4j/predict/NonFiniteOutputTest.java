package dev.vavl4j.predict;

import static org.junit.jupiter.api.Assertions.*;

import dev.vavl4j.InvalidInputException;
import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.checkpoint.Checkpoint;
import dev.vavl4j.data.Corpus;
import dev.vavl4j.data.Manifest;
import dev.vavl4j.data.Split;
import dev.vavl4j.data.Utterance;
import dev.vavl4j.demo.DemoCorpus;
import dev.vavl4j.io.HostTensor;
import dev.vavl4j.testutil.CheckpointTamper;
import dev.vavl4j.testutil.TinyRuns;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 item 3: weights that are finite and well-formed (and so load) but overflow float32 inside the model
 * make every answer NaN; that is an error naming the model and the utterance, never a NaN score.
 */
class NonFiniteOutputTest {
    @TempDir
    static Path tmp;
    static Path model;
    static DemoCorpus.Summary corpus;
    static List<Utterance> test;

    @BeforeAll
    static void trainAndOverflowTheFusionHead() throws Exception {
        corpus = TinyRuns.corpus(tmp.resolve("corpus"), 31);
        TinyRuns.train(corpus, tmp.resolve("run"), 1);
        model = tmp.resolve("huge");
        Checkpoint.loadForInference(tmp.resolve("run")).save(model);
        CheckpointTamper.editTensors(model, "model.safetensors", t -> {
            // fc2's ReLU outputs become ≥ 100, and the first output sums them with weights of float32's largest value
            HostTensor b2 = t.get("head.fusion.fc2.bias");
            float[] bias = new float[b2.size()];
            java.util.Arrays.fill(bias, 100f);
            t.put("head.fusion.fc2.bias", HostTensor.ofFloats(bias, b2.shape()));
            HostTensor w = t.get("head.fusion.out.weight");
            float[] v = w.floats().clone();
            for (int i = 0; i < w.shape()[1]; i++) v[i] = Float.MAX_VALUE;
            t.put("head.fusion.out.weight", HostTensor.ofFloats(v, w.shape()));
        });
        CheckpointTamper.rehash(model);
        test = Corpus.load(Manifest.read(corpus.manifest(), List.of()).rows(Split.TEST), corpus.features(), DemoCorpus.AUDIO_DIM,
                DemoCorpus.VISUAL_DIM, 0, null).utterances();
    }

    @Test
    void aNonFiniteOutputIsAnErrorNamingTheModelAndTheInput() {
        try (CpuBackend be = new CpuBackend(1); Predictor p = Predictor.load(model, be)) {
            Utterance u = test.stream().filter(x -> x.hasAudio() && x.hasVisual()).findFirst().orElseThrow();
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> p.predict(u.audio(), u.visual()));
            String m = e.getMessage();
            assertTrue(m.contains(model.toString()) && m.contains("fusion head") && m.contains("input 0"), m);
            assertEquals(1, m.lines().count(), m);

            // the other heads are untouched: an audio-only answer is still a finite one
            Prediction audio = p.predict(u.audio(), null);
            for (double s : audio.scores()) assertTrue(Double.isFinite(s), audio.toString());

            // evaluation and batch prediction read the same outputs: the error names the utterance's manifest line
            InvalidInputException ev = assertThrows(InvalidInputException.class, () -> p.outputs(test, null));
            assertTrue(ev.getMessage().contains(model.toString()) && ev.getMessage().contains("line "), ev.getMessage());
            InvalidInputException pr = assertThrows(InvalidInputException.class, () -> p.predictUtterances(test, null));
            assertEquals(ev.getMessage(), pr.getMessage());
        }
    }
}
