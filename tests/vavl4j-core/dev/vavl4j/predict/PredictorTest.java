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

    /**
     * What the Predictor javadoc and the README promise about batching (issue 11 item 7): an utterance's raw
     * outputs alone and in a batch agree within {@link Predictor#BATCH_TOLERANCE} of the largest output's
     * magnitude, its probabilities within BATCH_TOLERANCE absolute, and its class answer is the same unless its
     * top two outputs are that close (a near-tie). They are not bit-identical in general: padding to the batch's
     * longest utterance changes how the matrix products are blocked. Measured on these test models: raw outputs
     * ≤ 7e-7 relative, probabilities ≤ 3e-8 (d 16) and ≤ 2.3e-7 (d 128, 3 + 2 layers) absolute, no answer changed.
     */
    @Test
    void anUtteranceAloneAndInABatchAgreeWithinTheDocumentedTolerance() {
        double tol = Predictor.BATCH_TOLERANCE;
        List<UtteranceInference.Outputs> batched = predictor.outputs(test, null);
        List<Prediction> answers = predictor.predictUtterances(test, null);
        double worstRel = 0, worstProb = 0;
        for (int i = 0; i < test.size(); i++) {
            Utterance u = test.get(i);
            UtteranceInference.Outputs alone = predictor.outputs(List.of(u), null).getFirst();
            for (Source s : Source.values()) {
                float[] a = batched.get(i).of(s), b = alone.of(s);
                assertEquals(a == null, b == null, s + " head of utterance " + i);
                if (a == null) continue;
                double scale = 0;
                for (float x : a) scale = Math.max(scale, Math.abs(x));
                for (int k = 0; k < a.length; k++) worstRel = Math.max(worstRel, Math.abs(a[k] - b[k]) / scale);
                double[] pa = predictor.labelCodec().decode(a, 0), pb = predictor.labelCodec().decode(b, 0);
                for (int k = 0; k < pa.length; k++) worstProb = Math.max(worstProb, Math.abs(pa[k] - pb[k]));
                float[] sorted = a.clone();
                java.util.Arrays.sort(sorted);
                if (sorted[sorted.length - 1] - sorted[sorted.length - 2] > 2 * tol * scale) {
                    assertEquals(Evaluation.argmax(a), Evaluation.argmax(b), "the answer of utterance " + i + " (" + s + ") changed in a batch");
                }
            }
            Prediction one = predictor.predict(u.audio(), u.visual());
            assertEquals(answers.get(i).used(), one.used());
            assertArrayEquals(answers.get(i).scores(), one.scores(), tol);
        }
        assertTrue(worstRel <= tol, "raw outputs differ by " + worstRel + " of their scale, more than " + tol);
        assertTrue(worstProb <= tol, "probabilities differ by " + worstProb + ", more than " + tol);
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
