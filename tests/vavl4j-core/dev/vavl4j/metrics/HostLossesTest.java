package dev.vavl4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Cross-entropy against a direct softmax computation; the CCC loss as Σ (1 − ccc). */
class HostLossesTest {
    private static final double EPS = 1e-12;

    @Test
    void crossEntropyMatchesDirectSoftmax() {
        float[] logits = {1.5f, -0.25f, 0.5f, 2f, 0f, -3f};
        int[] target = {2, 0};
        double expected = 0;
        for (int r = 0; r < 2; r++) {
            double denom = 0;
            for (int c = 0; c < 3; c++) denom += Math.exp(logits[r * 3 + c]);
            expected += -Math.log(Math.exp(logits[r * 3 + target[r]]) / denom);
        }
        expected /= 2;
        assertEquals(expected, HostLosses.crossEntropy(logits, target, 2, 3), EPS);
        // Hand value of row 0 alone to pin the mean, not only the agreement:
        double row1 = Math.log(Math.exp(2) + 1 + Math.exp(-3)) - 2;
        assertEquals(row1, HostLosses.crossEntropy(new float[] {2f, 0f, -3f}, new int[] {0}, 1, 3), EPS);
    }

    @Test
    void equalLogitsGiveLogOfClassCount() {
        assertEquals(Math.log(4), HostLosses.crossEntropy(new float[] {7f, 7f, 7f, 7f}, new int[] {3}, 1, 4), EPS);
    }

    @Test
    void crossEntropyIsStableForHugeLogits() {
        // Direct exp(1000) overflows to infinity; log-softmax gives 1000 and ~0 exactly.
        float[] logits = {1000f, 0f, 1000f, 0f};
        double loss = HostLosses.crossEntropy(logits, new int[] {1, 0}, 2, 2);
        assertTrue(Double.isFinite(loss));
        assertEquals(500.0, loss, 1e-9);
        assertEquals(0.0, HostLosses.crossEntropy(new float[] {-1000f, 1000f}, new int[] {1}, 1, 2), EPS);
    }

    @Test
    void crossEntropyBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> HostLosses.crossEntropy(new float[] {0, 0, 0}, new int[] {0}, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> HostLosses.crossEntropy(new float[] {0, 0}, new int[] {0, 1}, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> HostLosses.crossEntropy(new float[] {0, 0}, new int[] {2}, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> HostLosses.crossEntropy(new float[] {0, 0}, new int[] {-1}, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> HostLosses.crossEntropy(new float[0], new int[0], 0, 2));
    }

    @Test
    void cccLossIsSumOfOneMinusCcc() {
        // attributes: 4/11, −1 and constant (0) -> (1 − 4/11) + 2 + 1
        double[] pred = {1, 1, 7, 2, 2, 7, 3, 3, 7};
        double[] truth = {2, 3, 7, 4, 2, 7, 6, 1, 7};
        assertEquals(7.0 / 11 + 3, HostLosses.cccLoss(pred, truth, 3, 3), EPS);
    }

    @Test
    void cccLossZeroForPerfectAndOnePerAttributeForZeroDenominator() {
        double[] y = {1, 4, 2, 5, 3, 6};
        assertEquals(0.0, HostLosses.cccLoss(y, y.clone(), 3, 2), EPS);
        assertEquals(2.0, HostLosses.cccLoss(new double[] {1, 1, 1, 1}, new double[] {1, 1, 1, 1}, 2, 2));
    }

    @Test
    void cccLossBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> HostLosses.cccLoss(new double[] {1, 2, 3}, new double[] {1, 2}, 3, 1));
        assertThrows(IllegalArgumentException.class, () -> HostLosses.cccLoss(new double[0], new double[0], 0, 1));
    }
}
