package dev.vavl4j.predict;

import static org.junit.jupiter.api.Assertions.*;

import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.data.Corpus;
import dev.vavl4j.data.Features;
import dev.vavl4j.data.Manifest;
import dev.vavl4j.data.Split;
import dev.vavl4j.data.Utterance;
import dev.vavl4j.demo.DemoCorpus;
import dev.vavl4j.testutil.TinyRuns;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictorTest {
    @TempDir
    static Path tmp;
    static Predictor predictor;
    static List<Utterance> test;

    @BeforeAll
    static void train() throws Exception {
        DemoCorpus.Summary c = TinyRuns.corpus(tmp.resolve("corpus"), 21);
        TinyRuns.train(c, tmp.resolve("run"), 2);
        predictor = Predictor.load(tmp.resolve("run"), new CpuBackend());
        test = Corpus.load(Manifest.read(c.manifest(), List.of()).rows(Split.TEST), c.features(), DemoCorpus.AUDIO_DIM,
                DemoCorpus.VISUAL_DIM, 0, null).utterances();
    }

    @Test
    void oneUtteranceAnswersLikeTheSameUtteranceInABatch() {
        List<Prediction> batch = predictor.predictUtterances(test, null);
        for (int i = 0; i < 5; i++) {
            Utterance u = test.get(i);
            Prediction one = predictor.predict(u.audio(), u.visual());
            assertEquals(batch.get(i).used(), one.used());
            assertEquals(batch.get(i).answer(), one.answer());
            assertArrayEquals(batch.get(i).scores(), one.scores(), 1e-5);
        }
    }

    @Test
    void answersWithTheModalitiesGiven() {
        Utterance u = test.getFirst();
        Prediction both = predictor.predict(u.audio(), u.visual());
        Prediction audio = predictor.predict(u.audio(), null), visual = predictor.predict(null, u.visual());
        assertEquals(Source.FUSION, both.used());
        assertEquals(Source.AUDIO, audio.used());
        assertEquals(Source.VISUAL, visual.used());
        assertEquals(3, both.bySource().size());
        assertArrayEquals(both.bySource().get(Source.AUDIO), audio.scores(), 1e-5, "the audio head does not depend on the visual input");
        double sum = 0;
        for (double p : both.scores()) sum += p;
        assertEquals(1.0, sum, 1e-9, "class probabilities sum to 1");
        assertEquals(DemoCorpus.LABELS.get(both.answerIndex()), both.answer());
    }

    @Test
    void concurrentCallsGiveTheSequentialAnswers() throws Exception {
        List<Prediction> expected = new ArrayList<>();
        for (Utterance u : test) expected.add(predictor.predict(u.audio(), u.visual()));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Prediction>> futures = new ArrayList<>();
            for (int rep = 0; rep < 4; rep++) for (Utterance u : test) futures.add(pool.submit(() -> predictor.predict(u.audio(), u.visual())));
            for (int i = 0; i < futures.size(); i++) {
                Prediction got = futures.get(i).get(), want = expected.get(i % test.size());
                assertEquals(want.answer(), got.answer());
                assertArrayEquals(want.scores(), got.scores(), 0.0, "utterance " + i % test.size());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void badInputsAreRejectedWithTheReason() {
        Utterance u = test.getFirst();
        var none = assertThrows(dev.vavl4j.InvalidInputException.class, () -> predictor.predict(null, null));
        assertTrue(none.getMessage().contains("neither"), none.getMessage());
        Features wrong = new Features(new float[3 * 7], 3, 7);
        var dim = assertThrows(dev.vavl4j.InvalidInputException.class, () -> predictor.predict(wrong, null));
        assertTrue(dim.getMessage().contains("dimension 7") && dim.getMessage().contains("" + DemoCorpus.AUDIO_DIM), dim.getMessage());
        float[] v = u.visual().values().clone();
        v[5] = Float.NaN;
        var nan = assertThrows(dev.vavl4j.InvalidInputException.class, () -> predictor.predict(null, new Features(v, u.visual().frames(), u.visual().dim())));
        assertTrue(nan.getMessage().contains("NaN"), nan.getMessage());
    }
}
