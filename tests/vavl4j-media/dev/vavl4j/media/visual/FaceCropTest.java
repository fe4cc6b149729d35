package dev.vavl4j.media.visual;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vavl4j.media.RgbFrame;
import org.junit.jupiter.api.Test;

class FaceCropTest {
    /** A frame whose every byte says where it is: R = x, G = y, B = 200. */
    static RgbFrame ramp(int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                rgb[(y * w + x) * 3] = (byte) x;
                rgb[(y * w + x) * 3 + 1] = (byte) y;
                rgb[(y * w + x) * 3 + 2] = (byte) 200;
            }
        }
        return new RgbFrame(w, h, rgb, 0);
    }

    @Test
    void insideAtTheOutputSizeIsACopy() {
        RgbFrame f = ramp(50, 40);
        byte[] c = FaceCrop.crop(f, 5, 7, 4, 4);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                assertEquals(5 + x, c[(y * 4 + x) * 3]);
                assertEquals(7 + y, c[(y * 4 + x) * 3 + 1]);
            }
        }
    }

    @Test
    void halvingTakesEveryOtherPixel() {
        byte[] c = FaceCrop.crop(ramp(50, 40), 10, 10, 8, 4); // src = 2i exactly: no blending
        for (int x = 0; x < 4; x++) assertEquals(10 + 2 * x, c[x * 3]);
    }

    @Test
    void outsideTheFrameIsBlack() {
        RgbFrame f = ramp(20, 20);
        byte[] c = FaceCrop.crop(f, -2, 18, 4, 4); // two columns left of the frame, two rows below it
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                boolean inside = x >= 2 && y < 2;
                int i = (y * 4 + x) * 3;
                assertEquals(inside ? 200 : 0, c[i + 2] & 0xff, "blue at " + x + "," + y);
                if (inside) assertEquals(x - 2, c[i]);
            }
        }
        assertArrayEquals(new byte[4 * 4 * 3], FaceCrop.crop(f, 100, 100, 10, 4), "wholly outside: all black");
    }

    @Test
    void blendsAsTfjsBilinear() {
        RgbFrame f = ramp(10, 10);
        byte[] c = FaceCrop.crop(f, 0, 0, 2, 4); // src = i/2 → 0, 0.5, 1, 1 (clamped)
        assertEquals(0, c[0]);
        assertEquals(1, c[3]); // 0.5 rounds to 1
        assertEquals(1, c[6]);
        assertEquals(1, c[9]);
    }

    @Test
    void squareRoundsToWholePixels() {
        FaceTracker.Square s = new FaceTracker.Square(10.4, 20.6, 9.2);
        assertEquals(6, s.left());
        assertEquals(16, s.top());
        assertEquals(9, s.size());
    }
}
