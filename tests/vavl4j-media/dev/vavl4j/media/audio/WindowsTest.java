package dev.vavl4j.media.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WindowsTest {
    /** The table copied from torch and the computed povey window agree to a few ulps (a corrupt table would not). */
    @Test
    void torchTableIsThePoveyWindow() {
        float[] table = Windows.window("povey", 400);
        float[] computed = computedPovey(400);
        int worst = 0, differ = 0;
        for (int i = 0; i < 400; i++) {
            int ulps = Math.abs(Float.floatToIntBits(table[i]) - Float.floatToIntBits(computed[i]));
            worst = Math.max(worst, ulps);
            if (ulps != 0) differ++;
            assertEquals(Math.pow(0.5 - 0.5 * Math.cos(2 * Math.PI * i / 399), 0.85), table[i], 1e-6, "i " + i);
        }
        assertTrue(worst <= 16, "worst " + worst + " ulps");
        assertTrue(differ <= 20, differ + " points differ");
        assertEquals(0f, table[0]);
        assertEquals(0f, table[399]);
    }

    /** What every other length gets: torch's float32 hann (StrictMath cos), then pow(h, 0.85f). */
    private static float[] computedPovey(int n) {
        float[] out = Windows.window("hanning", n);
        for (int i = 0; i < n; i++) out[i] = (float) StrictMath.pow(out[i], 0.85f);
        return out;
    }

    @Test
    void otherWindowsHaveTheirShapes() {
        int n = 200;
        float[] hann = Windows.window("hanning", n), hamming = Windows.window("hamming", n), black = Windows.window("blackman", n),
                rect = Windows.window("rectangular", n), povey = Windows.window("povey", n);
        for (int i = 0; i < n; i++) {
            double a = 2 * Math.PI * i / (n - 1);
            assertEquals(0.5 - 0.5 * Math.cos(a), hann[i], 1e-6);
            assertEquals(0.54 - 0.46 * Math.cos(a), hamming[i], 1e-6);
            assertEquals(0.42 - 0.5 * Math.cos(a) + 0.08 * Math.cos(2 * a), black[i], 1e-6);
            assertEquals(Math.pow(0.5 - 0.5 * Math.cos(a), 0.85), povey[i], 1e-6);
            assertEquals(1f, rect[i]);
        }
    }
}
