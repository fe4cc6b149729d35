package dev.vavl4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vavl4j.ConfigException;
import dev.vavl4j.train.LearningRateSchedule.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** {@link LearningRateSchedule}: constant and cosine with linear warm-up over optimiser steps. */
class LearningRateScheduleTest {
    @Test
    void constantWithoutWarmupIsExactlyOne() {
        LearningRateSchedule s = LearningRateSchedule.DEFAULT;
        assertSame(Kind.CONSTANT, s.kind());
        assertEquals(0, s.warmupSteps());
        for (long total : new long[] {1, 2, 7, 1000}) {
            for (long step = 1; step <= total; step++) assertEquals(1.0, s.factor(step, total), 0.0, "step " + step + "/" + total);
        }
        assertEquals(1.0, LearningRateSchedule.of("constant", 0, 0.3).factor(50, 100), 0.0, "constant ignores min_lr_factor");
    }

    @Test
    void warmupIsLinearFromZeroAndPeaksAtOne() {
        for (Kind kind : Kind.values()) {
            LearningRateSchedule s = new LearningRateSchedule(kind, 10, 0.1);
            for (long step = 1; step <= 10; step++) assertEquals(step / 10.0, s.factor(step, 100), 1e-15, kind + " step " + step);
            assertEquals(1.0, s.factor(10, 100), 0.0, "peak at the end of warm-up");
            double previous = 0;
            for (long step = 1; step <= 10; step++) {
                double f = s.factor(step, 100);
                assertTrue(f > previous, "warm-up rises strictly");
                previous = f;
            }
        }
        LearningRateSchedule c = LearningRateSchedule.of("constant", 10, 0);
        for (long step = 11; step <= 100; step++) assertEquals(1.0, c.factor(step, 100), 0.0);
    }

    @Test
    void cosineDecaysToMinFactorAtTheLastStep() {
        double m = 0.1;
        LearningRateSchedule s = LearningRateSchedule.of("cosine", 10, m);
        long total = 110; // 100 decay steps after the warm-up
        assertEquals(m, s.factor(total, total), 1e-15, "final factor is min_lr_factor");
        assertEquals((1 + m) / 2, s.factor(60, total), 1e-12, "halfway through the decay: midpoint of 1 and m");
        assertEquals(m + (1 - m) * 0.5 * (1 + Math.cos(Math.PI * 0.25)), s.factor(35, total), 1e-12, "a quarter of the way");
        double previous = s.factor(10, total);
        for (long step = 11; step <= total; step++) {
            double f = s.factor(step, total);
            assertTrue(f < previous, "cosine decays strictly: step " + step + " " + f + " ≥ " + previous);
            assertTrue(f >= m && f <= 1, "within [m, 1]");
            previous = f;
        }
        // Without warm-up the decay starts at step 1, just below 1, and still ends at m.
        LearningRateSchedule noWarmup = LearningRateSchedule.of("cosine", 0, 0);
        assertTrue(noWarmup.factor(1, 1000) < 1 && noWarmup.factor(1, 1000) > 0.9999);
        assertEquals(0.0, noWarmup.factor(1000, 1000), 1e-15);
        assertEquals(0.5, noWarmup.factor(500, 1000), 1e-12);
    }

    @Test
    void factorStaysInTheUnitInterval() {
        for (Kind kind : Kind.values()) {
            for (long w : new long[] {0, 1, 3, 50}) {
                for (double m : new double[] {0, 0.5, 1}) {
                    LearningRateSchedule s = new LearningRateSchedule(kind, w, m);
                    for (long total : new long[] {1, 2, 10, 37}) {
                        for (long step = 1; step <= total; step++) {
                            double f = s.factor(step, total);
                            assertTrue(f > 0 || (m == 0 && step == total), s + " " + step + "/" + total + " = " + f);
                            assertTrue(f <= 1, s + " " + step + "/" + total + " = " + f);
                        }
                    }
                }
            }
        }
        assertEquals(1.0, LearningRateSchedule.of("cosine", 0, 1).factor(5, 10), 0.0, "min factor 1 is constant");
    }

    @Test
    void warmupLongerThanTheRunIsCutToTheRun() {
        LearningRateSchedule s = LearningRateSchedule.of("cosine", 50, 0);
        assertEquals(0.5, s.factor(10, 20), 1e-15);
        assertEquals(1.0, s.factor(20, 20), 0.0);
        ConfigException e = assertThrows(ConfigException.class, () -> s.requireFits(20));
        assertTrue(e.getMessage().startsWith("warmup_steps"), e.getMessage());
        assertThrows(ConfigException.class, () -> s.requireFits(50));
        s.requireFits(51);
        LearningRateSchedule.DEFAULT.requireFits(1);
    }

    @Test
    void stepsOutsideTheRunAreRejected() {
        LearningRateSchedule s = LearningRateSchedule.of("cosine", 2, 0);
        assertThrows(IllegalArgumentException.class, () -> s.factor(0, 10), "steps count from 1");
        assertThrows(IllegalArgumentException.class, () -> s.factor(11, 10));
        assertThrows(IllegalArgumentException.class, () -> s.factor(1, 0));
    }

    @Test
    void invalidSettingsNameTheirKey() {
        expect("lr_schedule", () -> LearningRateSchedule.of("linear", 0, 0));
        expect("lr_schedule", () -> LearningRateSchedule.of("Cosine", 0, 0));
        expect("lr_schedule", () -> LearningRateSchedule.of(null, 0, 0));
        expect("lr_schedule", () -> new LearningRateSchedule(null, 0, 0));
        expect("warmup_steps", () -> LearningRateSchedule.of("cosine", -1, 0));
        expect("min_lr_factor", () -> LearningRateSchedule.of("cosine", 0, -0.1));
        expect("min_lr_factor", () -> LearningRateSchedule.of("cosine", 0, 1.5));
        expect("min_lr_factor", () -> LearningRateSchedule.of("cosine", 0, Double.NaN));
        assertSame(Kind.COSINE, Kind.parse("cosine"));
        assertEquals("cosine", Kind.COSINE.key);
        assertEquals(java.util.List.of("lr_schedule", "warmup_steps", "min_lr_factor"), LearningRateSchedule.KEYS);
    }

    private static void expect(String key, Executable e) {
        ConfigException x = assertThrows(ConfigException.class, e);
        assertTrue(x.getMessage().startsWith(key + " "), "message should name " + key + ": " + x.getMessage());
    }
}
