package dev.vavl4j.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Accuracy, macro/micro scores and the confusion matrix against hand-computed values. */
class ClassificationMetricsTest {
    private static final double EPS = 1e-12;

    @Test
    void scikitLearnDocumentationExample() {
        // The example of sklearn's f1_score / precision_score / recall_score docs:
        // f1 macro 0.2667, micro 0.3333; precision macro 0.2222; recall macro 0.3333.
        // By hand: class 0 has P = 2/3, R = 1, F1 = 0.8; classes 1 and 2 have no true positive (all 0).
        ClassificationMetrics m = ClassificationMetrics.of(new int[] {0, 1, 2, 0, 1, 2}, new int[] {0, 2, 1, 0, 0, 1}, 3);
        assertEquals(6, m.n());
        assertEquals(1.0 / 3, m.accuracy(), EPS);
        assertEquals(0.8 / 3, m.f1Macro(), EPS);
        assertEquals(1.0 / 3, m.f1Micro(), EPS);
        assertEquals(2.0 / 9, m.precisionMacro(), EPS);
        assertEquals(1.0 / 3, m.recallMacro(), EPS);
        assertArrayEquals(new int[][] {{2, 0, 0}, {1, 0, 1}, {0, 2, 0}}, m.confusion());
    }

    @Test
    void unequalClassSizes() {
        // truth 0,0,0,1,1,2 / pred 0,0,1,1,1,0:
        // class 0: tp 2, predicted 3, true 3 -> P 2/3, R 2/3, F1 2/3
        // class 1: tp 2, predicted 3, true 2 -> P 2/3, R 1, F1 0.8
        // class 2: tp 0 -> 0, 0, 0
        ClassificationMetrics m = ClassificationMetrics.of(new int[] {0, 0, 0, 1, 1, 2}, new int[] {0, 0, 1, 1, 1, 0}, 3);
        assertEquals(4.0 / 6, m.accuracy(), EPS);
        assertEquals((2.0 / 3 + 2.0 / 3) / 3, m.precisionMacro(), EPS);
        assertEquals((2.0 / 3 + 1.0) / 3, m.recallMacro(), EPS);
        assertEquals((2.0 / 3 + 0.8) / 3, m.f1Macro(), EPS);
        assertArrayEquals(new int[][] {{2, 1, 0}, {0, 2, 0}, {1, 0, 0}}, m.confusion());
    }

    @Test
    void classPredictedButAbsentFromTruthCountsInMacroAndUnseenClassDoesNot() {
        // 4 classes; class 2 only predicted, class 3 never seen:
        // class 0: P 1, R 1/2, F1 2/3; class 1: P 1, R 1, F1 1; class 2: P 0 (no hit), R 0 (no truth), F1 0.
        // Class 3 is left out of the averages (divide by 3, not 4).
        ClassificationMetrics m = ClassificationMetrics.of(new int[] {0, 0, 1, 1}, new int[] {0, 2, 1, 1}, 4);
        assertEquals(0.75, m.accuracy(), EPS);
        assertEquals(2.0 / 3, m.precisionMacro(), EPS);
        assertEquals(0.5, m.recallMacro(), EPS);
        assertEquals(5.0 / 9, m.f1Macro(), EPS);
        assertEquals(0.75, m.f1Micro(), EPS);
        assertArrayEquals(new int[][] {{1, 0, 1, 0}, {0, 2, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}}, m.confusion());
    }

    @Test
    void classInTruthNeverPredictedHasPrecisionZero() {
        // class 0: tp 1, predicted 3, true 1 -> P 1/3, R 1, F1 0.5; class 1: never predicted -> P 0, R 0, F1 0
        ClassificationMetrics m = ClassificationMetrics.of(new int[] {0, 1, 1}, new int[] {0, 0, 0}, 2);
        assertEquals(1.0 / 3, m.accuracy(), EPS);
        assertEquals(1.0 / 6, m.precisionMacro(), EPS);
        assertEquals(0.5, m.recallMacro(), EPS);
        assertEquals(0.25, m.f1Macro(), EPS);
    }

    @Test
    void perfectPredictions() {
        int[] y = {2, 0, 1, 1, 2};
        ClassificationMetrics m = ClassificationMetrics.of(y, y.clone(), 3);
        assertEquals(1.0, m.accuracy(), EPS);
        assertEquals(1.0, m.f1Macro(), EPS);
        assertEquals(1.0, m.f1Micro(), EPS);
        assertEquals(1.0, m.precisionMacro(), EPS);
        assertEquals(1.0, m.recallMacro(), EPS);
        assertArrayEquals(new int[][] {{1, 0, 0}, {0, 2, 0}, {0, 0, 2}}, m.confusion());
    }

    @Test
    void allWrongPredictionsScoreZeroNotNaN() {
        ClassificationMetrics m = ClassificationMetrics.of(new int[] {0, 1, 2}, new int[] {1, 2, 0}, 3);
        assertEquals(0.0, m.accuracy());
        assertEquals(0.0, m.f1Macro());
        assertEquals(0.0, m.f1Micro());
        assertEquals(0.0, m.precisionMacro());
        assertEquals(0.0, m.recallMacro());
        assertArrayEquals(new int[][] {{0, 1, 0}, {0, 0, 1}, {1, 0, 0}}, m.confusion());
    }

    @Test
    void singleSampleSingleClass() {
        ClassificationMetrics m = ClassificationMetrics.of(new int[] {0}, new int[] {0}, 1);
        assertEquals(1.0, m.f1Macro(), EPS);
        assertArrayEquals(new int[][] {{1}}, m.confusion());
    }

    @Test
    void badArguments() {
        assertThrows(IllegalArgumentException.class, () -> ClassificationMetrics.of(new int[] {0, 1}, new int[] {0}, 2));
        assertThrows(IllegalArgumentException.class, () -> ClassificationMetrics.of(new int[0], new int[0], 2));
        assertThrows(IllegalArgumentException.class, () -> ClassificationMetrics.of(new int[] {0, 2}, new int[] {0, 1}, 2));
        assertThrows(IllegalArgumentException.class, () -> ClassificationMetrics.of(new int[] {0, 1}, new int[] {0, -1}, 2));
        assertThrows(IllegalArgumentException.class, () -> ClassificationMetrics.of(new int[] {0}, new int[] {0}, 0));
        assertThrows(IllegalArgumentException.class, () -> ClassificationMetrics.of(null, new int[] {0}, 2));
    }
}
