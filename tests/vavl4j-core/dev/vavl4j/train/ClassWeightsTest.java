package dev.vavl4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.ConfigException;
import org.junit.jupiter.api.Test;

/** {@link ClassWeights}: "none" and scikit-learn's "balanced" from the Train split's target classes. */
class ClassWeightsTest {
    @Test
    void noneIsAllOnes() {
        assertArrayEquals(new float[] {1, 1, 1}, ClassWeights.NONE.compute(new int[] {0, 0, 0, 0, 2}, 3));
        assertArrayEquals(new float[] {1, 1}, ClassWeights.NONE.compute(new int[0], 2));
    }

    @Test
    void balancedOnAKnownExample() {
        // n = 6 rows over classes {0: 3, 1: 1, 2: 2}; class 3 is absent, so 3 classes are present.
        // sklearn: compute_class_weight('balanced', classes=[0,1,2], y=...) = 6 / (3 · [3, 1, 2]) = [2/3, 2, 1]
        float[] w = ClassWeights.BALANCED.compute(new int[] {0, 2, 0, 1, 2, 0}, 4);
        assertEquals(4, w.length);
        assertEquals(2f / 3, w[0], 1e-7);
        assertEquals(2f, w[1], 1e-7);
        assertEquals(1f, w[2], 1e-7);
        assertEquals(1f, w[3], 0f, "a class absent from Train weighs 1");
    }

    @Test
    void balancedGivesEveryPresentClassTheSameTotalWeight() {
        int[] classes = new int[1000];
        int[] count = new int[5];
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        for (int i = 0; i < classes.length; i++) {
            double u = r.nextDouble();
            classes[i] = u < 0.6 ? 0 : u < 0.85 ? 1 : u < 0.95 ? 2 : 4; // class 3 absent
            count[classes[i]]++;
        }
        float[] w = ClassWeights.BALANCED.compute(classes, 5);
        double sum = 0;
        for (int c = 0; c < 5; c++) {
            if (count[c] == 0) continue;
            assertEquals(1000.0 / 4, count[c] * (double) w[c], 1e-3, "class " + c + " carries n / K");
            sum += count[c] * (double) w[c];
        }
        assertEquals(1000, sum, 1e-2, "weights summed over the rows give n");
        assertTrue(w[0] < w[1] && w[1] < w[2] && w[2] < w[4], "rarer classes weigh more");
    }

    @Test
    void balancedOnBalancedDataIsAllOnes() {
        assertArrayEquals(new float[] {1, 1, 1}, ClassWeights.BALANCED.compute(new int[] {2, 1, 0, 0, 1, 2}, 3));
    }

    @Test
    void returnsAFreshArray() {
        int[] classes = {0, 1};
        assertNotSame(ClassWeights.NONE.compute(classes, 2), ClassWeights.NONE.compute(classes, 2));
        assertArrayEquals(new int[] {0, 1}, classes);
    }

    @Test
    void parseAndValidation() {
        assertSame(ClassWeights.NONE, ClassWeights.parse("none"));
        assertSame(ClassWeights.BALANCED, ClassWeights.parse("balanced"));
        for (String bad : new String[] {"balance", "Balanced", "", null}) {
            ConfigException e = assertThrows(ConfigException.class, () -> ClassWeights.parse(bad));
            assertTrue(e.getMessage().startsWith("class_weights "), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> ClassWeights.BALANCED.compute(new int[] {0, 3}, 3), "class out of range");
        assertThrows(IllegalArgumentException.class, () -> ClassWeights.NONE.compute(new int[] {-1}, 3), "negative class");
        assertThrows(IllegalArgumentException.class, () -> ClassWeights.BALANCED.compute(new int[0], 3), "no rows");
        assertThrows(IllegalArgumentException.class, () -> ClassWeights.NONE.compute(new int[0], 0), "no classes");
    }
}
