package dev.vavl4j.baseline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vavl4j.data.Features;
import dev.vavl4j.data.ManifestRow;
import dev.vavl4j.data.Split;
import dev.vavl4j.data.Utterance;
import dev.vavl4j.predict.Source;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pooling (mean and biased std over frames), which utterances each source covers, and standardisation. */
class PooledFeaturesTest {
    private static final Features AUDIO = new Features(new float[] {1, 10, 3, 10, 5, 10}, 3, 2);   // dim 0: 1, 3, 5; dim 1: 10
    private static final Features VISUAL = new Features(new float[] {2, 6}, 2, 1);

    @Test
    void poolsMeanThenBiasedStdPerDimension() {
        double[] out = new double[4];
        PooledFeatures.pool(AUDIO, out, 0);
        assertArrayEquals(new double[] {3, 10, Math.sqrt(8.0 / 3), 0}, out, 1e-12);
    }

    @Test
    void eachSourceCoversItsUtterancesAndFusionConcatenates() {
        List<Utterance> utts = List.of(utt(1, AUDIO, VISUAL), utt(2, AUDIO, null), utt(3, null, VISUAL));
        assertEquals(List.of(1, 2), lines(PooledFeatures.of(Source.AUDIO, utts, 2, 1)));
        assertEquals(List.of(1, 3), lines(PooledFeatures.of(Source.VISUAL, utts, 2, 1)));
        PooledFeatures.Rows fusion = PooledFeatures.of(Source.FUSION, utts, 2, 1);
        assertEquals(List.of(1), lines(fusion));
        assertArrayEquals(new double[] {3, 10, Math.sqrt(8.0 / 3), 0, 4, 2}, fusion.x().values(), 1e-12);
    }

    @Test
    void standardisesWithTrainStatisticsAndFloorsTheStd() {
        DesignMatrix train = new DesignMatrix(new double[] {1, 5, 3, 5}, 2, 2);   // column 1 is constant
        Standardizer z = Standardizer.fit(train);
        assertArrayEquals(new double[] {2, 5}, z.mean(), 0);
        assertArrayEquals(new double[] {1, Standardizer.STD_FLOOR}, z.std(), 0);
        DesignMatrix other = z.applyInPlace(new DesignMatrix(new double[] {4, 5}, 1, 2));
        assertArrayEquals(new double[] {2, 0}, other.values(), 1e-12);
    }

    private static Utterance utt(int line, Features audio, Features visual) {
        return new Utterance(new ManifestRow(line, "u" + line + ".wav", "u" + line, Split.TRAIN, null, new double[0]), audio, visual);
    }

    private static List<Integer> lines(PooledFeatures.Rows rows) {
        return rows.utterances().stream().map(u -> u.row().line()).toList();
    }
}
