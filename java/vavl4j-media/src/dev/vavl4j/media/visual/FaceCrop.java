package dev.vavl4j.media.visual;

import dev.vavl4j.media.RgbFrame;

/**
 * Cuts a face square out of a frame and resizes it for {@link FaceExpressionNet}: the whole-pixel square
 * {@code [left, left + size) × [top, top + size)}, black (0, 0, 0) where it lies outside the frame (as
 * face-api's padToSquare pads with zeros; replicating the edge would invent face texture), resized to
 * {@code out × out} by tf.image.resizeBilinear's rule (alignCorners and halfPixelCenters false, see
 * {@code NnOps.ResizeAxis}) and rounded to bytes. The bytes are the network's input, so they can be stored
 * and fed to face-api itself (the reference check does).
 */
public final class FaceCrop {
    private FaceCrop() {}

    public static byte[] crop(RgbFrame frame, FaceTracker.Square square, int out) {
        return crop(frame, square.left(), square.top(), square.size(), out);
    }

    public static byte[] crop(RgbFrame frame, int left, int top, int size, int out) {
        if (size < 1 || out < 1) throw new IllegalArgumentException("crop size and output size must be ≥ 1, got " + size + ", " + out);
        int w = frame.width(), h = frame.height();
        byte[] rgb = frame.rgb();
        NnOps.ResizeAxis ax = NnOps.ResizeAxis.of(size, out);
        byte[] dst = new byte[out * out * 3];
        int o = 0;
        for (int oy = 0; oy < out; oy++) {
            int r0 = top + ax.lo()[oy], r1 = top + ax.hi()[oy];
            double rf = ax.frac()[oy];
            for (int ox = 0; ox < out; ox++) {
                int c0 = left + ax.lo()[ox], c1 = left + ax.hi()[ox];
                double cf = ax.frac()[ox];
                for (int ch = 0; ch < 3; ch++) {
                    double v = NnOps.bilinear(px(rgb, w, h, c0, r0, ch), px(rgb, w, h, c1, r0, ch),
                            px(rgb, w, h, c0, r1, ch), px(rgb, w, h, c1, r1, ch), cf, rf);
                    dst[o++] = (byte) Math.min(255, Math.max(0, Math.round(v)));
                }
            }
        }
        return dst;
    }

    private static int px(byte[] rgb, int w, int h, int x, int y, int ch) {
        return x >= 0 && x < w && y >= 0 && y < h ? rgb[(y * w + x) * 3 + ch] & 0xff : 0;
    }
}
