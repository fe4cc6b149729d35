package dev.vavl4j.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.data.Features;
import dev.vavl4j.data.LabelCodec;
import dev.vavl4j.data.ManifestRow;
import dev.vavl4j.data.Split;
import dev.vavl4j.data.Utterance;
import dev.vavl4j.model.VavlConfig.Task;
import dev.vavl4j.predict.Source;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The selection rule, and the λ a constructed Development split must select. */
class LambdaSelectionTest {
    private static LambdaSelection.Candidate c(double lambda, double score, double loss) {
        return new LambdaSelection.Candidate(lambda, score, loss);
    }

    @Test
    void highestScoreWinsWhereverItIs() {
        assertEquals(0.01, LambdaSelection.choose(List.of(c(1, 0.5, 0.1), c(0.01, 0.7, 0.9), c(10, 0.6, 0.2))).lambda());
    }

    @Test
    void equalScoresAreDecidedByTheLowerLossThenTheLargerLambda() {
        assertEquals(1.0, LambdaSelection.choose(List.of(c(0.1, 0.8, 0.5), c(1, 0.8, 0.4), c(10, 0.8, 0.6))).lambda());
        assertEquals(10.0, LambdaSelection.choose(List.of(c(0.1, 0.8, 0.4), c(10, 0.8, 0.4), c(1, 0.8, 0.4))).lambda());
    }

    @Test
    void nanRanksLast() {
        assertEquals(1.0, LambdaSelection.choose(List.of(c(0.1, Double.NaN, 0.1), c(1, -0.5, 9))).lambda());
        assertEquals(1.0, LambdaSelection.choose(List.of(c(0.1, 0.3, Double.NaN), c(1, 0.3, 9))).lambda());
    }

    /**
     * One feature v per utterance (constant frames, so the pooled std column is 0 everywhere). Train targets
     * are v itself; ridge on the standardised feature then predicts μ + (v − μ)/(1 + λ) exactly. Development
     * targets are μ + (v − μ)/2, which the λ = 1 model reproduces (CCC 1) and every other λ over- or
     * under-shrinks (CCC &lt; 1): λ = 1 must be chosen, with development CCC 1 and loss 0.
     */
    @Test
    void ridgeSelectsTheLambdaWhoseShrinkageTheDevelopmentTargetsFollow() {
        double[] v = {1, 2, 4, 5, 7, 8, 9, 12};
        double mu = 0;
        for (double x : v) mu += x / v.length;
        List<Utterance> train = new ArrayList<>(), dev = new ArrayList<>();
        for (int i = 0; i < v.length; i++) {
            train.add(utt(i, Split.TRAIN, v[i], v[i]));
            dev.add(utt(100 + i, Split.DEVELOPMENT, v[i], mu + (v[i] - mu) / 2));
        }
        LabelCodec codec = LabelCodec.fit(Task.REGRESSION, List.of("a"), train.stream().map(Utterance::row).toList(), "test");
        var outcome = SourceBaseline.run(Source.AUDIO, codec, Baseline.LAMBDA_GRID,
                new SourceBaseline.Splits(train, dev, dev, 1, 0));
        assertTrue(outcome.choice().fitted());
        assertEquals(1.0, outcome.choice().lambda(), "chosen λ: " + outcome.choice());
        assertEquals(1.0, outcome.choice().devScore(), 1e-9);
        assertEquals(0.0, outcome.choice().devLoss(), 1e-12);
        assertEquals(1.0, outcome.report().regression().cccMean(), 1e-9, "evaluated on the same rows");
        // No visual features at all: that source is absent, not an error.
        var visual = SourceBaseline.run(Source.VISUAL, codec, Baseline.LAMBDA_GRID, new SourceBaseline.Splits(train, dev, dev, 1, 0));
        assertFalse(visual.choice().fitted());
        assertEquals(0, visual.report().n());
    }

    @Test
    void classificationPrefersTheLambdaThatDoesNotFlattenTheModel() {
        // Two well separated classes. λ = 1e6 shrinks W to almost 0: its development accuracy is at best equal
        // (the argmax may still separate) and its cross-entropy near log 2, so λ = 1e-2 wins either way.
        List<Utterance> train = new ArrayList<>(), dev = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int cls = i % 2;
            train.add(utt(i, Split.TRAIN, cls * 3 + 0.1 * i, cls == 0 ? new double[] {1, 0} : new double[] {0, 1}));
            dev.add(utt(100 + i, Split.DEVELOPMENT, cls * 3 + 0.05 * i, cls == 0 ? new double[] {1, 0} : new double[] {0, 1}));
        }
        LabelCodec codec = LabelCodec.fit(Task.CLASSIFICATION, List.of("x", "y"), train.stream().map(Utterance::row).toList(), "test");
        var outcome = SourceBaseline.run(Source.AUDIO, codec, List.of(1e6, 1e-2), new SourceBaseline.Splits(train, dev, dev, 1, 0));
        assertEquals(1e-2, outcome.choice().lambda());
        assertEquals(1.0, outcome.choice().devScore());
        assertEquals(1.0, outcome.report().classification().accuracy());
    }

    private static Utterance utt(int line, Split split, double value, double... labels) {
        ManifestRow row = new ManifestRow(line, "u" + line + ".wav", "u" + line, split, null, labels);
        return new Utterance(row, new Features(new float[] {(float) value, (float) value}, 2, 1), null);
    }
}
