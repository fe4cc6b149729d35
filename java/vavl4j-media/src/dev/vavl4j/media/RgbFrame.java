package dev.vavl4j.media;

import java.util.Objects;

/**
 * One decoded video frame: packed 8-bit RGB, row-major, {@code rgb[(y * width + x) * 3 + c]} with c = 0 red,
 * 1 green, 2 blue; {@code timeSeconds} is its presentation time from the start of the stream.
 */
public record RgbFrame(int width, int height, byte[] rgb, double timeSeconds) {
    public RgbFrame {
        Objects.requireNonNull(rgb, "rgb");
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("frame size must be > 0, got " + width + "x" + height);
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException("rgb holds " + rgb.length + " bytes, a " + width + "x" + height + " RGB frame needs " + width * height * 3);
        }
    }

    /** Channel c (0 R, 1 G, 2 B) of pixel (x, y) as 0..255. */
    public int at(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xff;
    }
}
