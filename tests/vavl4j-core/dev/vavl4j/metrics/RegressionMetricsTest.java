package dev.vavl4j.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** CCC per attribute with biased statistics, against hand-computed values. */
class RegressionMetricsTest {
    private static final double EPS = 1e-12;

    @Test
    void identicalNonConstantSeriesHaveCccOne() {
        double[] y = {0.1, -2.0, 3.5, 7.25, 0.0};
        RegressionMetrics m = RegressionMetrics.of(y, y.clone(), 5, 1);
        assertEquals(5, m.n());
        assertEquals(1.0, m.ccc()[0], EPS);
        assertEquals(1.0, m.cccMean(), EPS);
    }

    @Test
    void knownValueOfSmallExample() {
        // p = 1,2,3; y = 2,4,6: means 2 and 4, var(p) = 2/3, var(y) = 8/3, cov = 4/3 (1/n statistics)
        // ccc = 2·4/3 / (2/3 + 8/3 + (2−4)²) = (8/3) / (22/3) = 4/11
        RegressionMetrics m = RegressionMetrics.of(new double[] {1, 2, 3}, new double[] {2, 4, 6}, 3, 1);
        assertEquals(4.0 / 11, m.ccc()[0], EPS);
    }

    @Test
    void negativeCorrelationGivesNegativeCcc() {
        // p = 1,2,3; y = 3,2,1: equal means and variances 2/3, cov −2/3 -> ccc = −1
        assertEquals(-1.0, RegressionMetrics.of(new double[] {1, 2, 3}, new double[] {3, 2, 1}, 3, 1).ccc()[0], EPS);
        // p = 1,2,3; y = 6,4,2: as the known example with cov −4/3 -> −4/11
        assertEquals(-4.0 / 11, RegressionMetrics.of(new double[] {1, 2, 3}, new double[] {6, 4, 2}, 3, 1).ccc()[0], EPS);
    }

    @Test
    void zeroDenominatorCountsAsZeroNotNaN() {
        RegressionMetrics m = RegressionMetrics.of(new double[] {5, 5, 5}, new double[] {5, 5, 5}, 3, 1);
        assertEquals(0.0, m.ccc()[0]); // exact: NaN would fail here
        assertEquals(0.0, m.cccMean());
    }

    @Test
    void constantButDifferentSeriesHaveCccZero() {
        // denominator (5−3)² = 4 > 0, covariance 0
        assertEquals(0.0, RegressionMetrics.of(new double[] {5, 5}, new double[] {3, 3}, 2, 1).ccc()[0], EPS);
    }

    @Test
    void rowMajorAttributesAreSeparatedAndMeanIsTheirAverage() {
        // column 0: p 1,2,3 vs y 2,4,6 -> 4/11; column 1: p 1,2,3 vs y 3,2,1 -> −1; column 2: constant -> 0
        double[] pred = {1, 1, 7, 2, 2, 7, 3, 3, 7};
        double[] truth = {2, 3, 7, 4, 2, 7, 6, 1, 7};
        RegressionMetrics m = RegressionMetrics.of(pred, truth, 3, 3);
        assertArrayEquals(new double[] {4.0 / 11, -1.0, 0.0}, m.ccc(), EPS);
        assertEquals((4.0 / 11 - 1.0) / 3, m.cccMean(), EPS);
    }

    @Test
    void largeOffsetDoesNotLoseTheVariance() {
        // Identical series far from 0: a one-pass sum-of-squares formula would cancel the variance away.
        double o = 1e8;
        RegressionMetrics m = RegressionMetrics.of(new double[] {o + 1, o + 2, o + 3}, new double[] {o + 1, o + 2, o + 3}, 3, 1);
        assertEquals(1.0, m.ccc()[0], 1e-9);
    }

    @Test
    void badArguments() {
        assertThrows(IllegalArgumentException.class, () -> RegressionMetrics.of(new double[] {1, 2}, new double[] {1}, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> RegressionMetrics.of(new double[] {1, 2}, new double[] {1, 2}, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> RegressionMetrics.of(new double[0], new double[0], 0, 1));
        assertThrows(IllegalArgumentException.class, () -> RegressionMetrics.of(new double[0], new double[0], 1, 0));
        assertThrows(IllegalArgumentException.class, () -> RegressionMetrics.of(null, new double[] {1}, 1, 1));
    }
}
