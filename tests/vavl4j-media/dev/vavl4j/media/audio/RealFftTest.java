package dev.vavl4j.media.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RealFftTest {
    /** Against a double-precision DFT for every power of two up to 2048 (both factor layouts: 4^k and 2·4^k). */
    @Test
    void matchesTheDft() {
        Random r = new Random(7);
        for (int n = 2; n <= 2048; n *= 2) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
            float[] c = x.clone();
            new RealFft(n).forward(c, new float[n]);
            double norm = 0;
            for (float v : x) norm += v * v;
            double tol = 1e-6 * Math.sqrt(norm) * (1 + Math.log(n));
            for (int k = 0; k <= n / 2; k++) {
                double re = 0, im = 0;
                for (int i = 0; i < n; i++) {
                    double a = -2 * Math.PI * ((long) i * k % n) / n;
                    re += x[i] * Math.cos(a);
                    im += x[i] * Math.sin(a);
                }
                float gotRe = k == 0 ? c[0] : k == n / 2 ? c[n - 1] : c[2 * k - 1];
                float gotIm = k == 0 || k == n / 2 ? 0 : c[2 * k];
                assertEquals(re, gotRe, tol, "n " + n + " re " + k);
                assertEquals(im, gotIm, tol, "n " + n + " im " + k);
            }
        }
    }

    @Test
    void onlyPowersOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new RealFft(400));
        assertThrows(IllegalArgumentException.class, () -> new RealFft(1));
    }
}
