package dev.vavl4j.media.visual;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API versions of {@link NnOps#matmulScalar} and {@link NnOps#depthwise3x3Scalar}, same arguments and
 * results up to float rounding (fused multiply-adds, another order of the sums). Only {@link NnOps} calls
 * them, and only when {@code jdk.incubator.vector} is in the boot layer, so this class is never loaded
 * without it.
 */
final class NnVectorOps {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private NnVectorOps() {}

    /**
     * Blocks of 4 rows × 2 vectors of columns kept in registers over the whole sum, so each loaded weight
     * vector feeds 4 multiply-adds and nothing is stored until the end (the plain loop's read-modify-write
     * of {@code c} per term is what holds it to a few GFLOP/s). Split into small methods: C2 stops
     * intrinsifying vector calls in one that grows too large, and falls back to the (very slow) Java code.
     */
    static void matmul(float[] a, int aOff, int rows, int k, float[] b, int n, float[] bias, int act, float[] c, int cOff) {
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            int ar = aOff + r * k, o = cOff + r * n;
            int j = 0;
            for (; j + 2 * L <= n; j += 2 * L) block4x2(a, ar, k, b, n, j, bias, act, c, o);
            for (; j < n; j += L) block4x1(a, ar, k, b, n, j, bias, act, c, o);
        }
        for (; r < rows; r++) {
            int ar = aOff + r * k, o = cOff + r * n;
            for (int j = 0; j < n; j += L) block1x1(a, ar, k, b, n, j, bias, act, c, o);
        }
    }

    private static void block4x2(float[] a, int a0, int k, float[] b, int n, int j, float[] bias, int act, float[] c, int o) {
        int a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        for (int kk = 0; kk < k; kk++) {
            int bk = kk * n + j;
            FloatVector w0 = FloatVector.fromArray(S, b, bk), w1 = FloatVector.fromArray(S, b, bk + L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + kk]);
            c00 = x.fma(w0, c00);
            c01 = x.fma(w1, c01);
            x = FloatVector.broadcast(S, a[a1 + kk]);
            c10 = x.fma(w0, c10);
            c11 = x.fma(w1, c11);
            x = FloatVector.broadcast(S, a[a2 + kk]);
            c20 = x.fma(w0, c20);
            c21 = x.fma(w1, c21);
            x = FloatVector.broadcast(S, a[a3 + kk]);
            c30 = x.fma(w0, c30);
            c31 = x.fma(w1, c31);
        }
        FloatVector b0 = FloatVector.fromArray(S, bias, j), b1 = FloatVector.fromArray(S, bias, j + L);
        epilogue(c00, b0, act).intoArray(c, o + j);
        epilogue(c01, b1, act).intoArray(c, o + j + L);
        epilogue(c10, b0, act).intoArray(c, o + n + j);
        epilogue(c11, b1, act).intoArray(c, o + n + j + L);
        epilogue(c20, b0, act).intoArray(c, o + 2 * n + j);
        epilogue(c21, b1, act).intoArray(c, o + 2 * n + j + L);
        epilogue(c30, b0, act).intoArray(c, o + 3 * n + j);
        epilogue(c31, b1, act).intoArray(c, o + 3 * n + j + L);
    }

    /** One vector of columns (masked when fewer than a vector are left) for 4 rows. */
    private static void block4x1(float[] a, int a0, int k, float[] b, int n, int j, float[] bias, int act, float[] c, int o) {
        if (j + L > n) {
            for (int r = 0; r < 4; r++) block1x1(a, a0 + r * k, k, b, n, j, bias, act, c, o + r * n);
            return;
        }
        int a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
        for (int kk = 0; kk < k; kk++) {
            FloatVector w0 = FloatVector.fromArray(S, b, kk * n + j);
            c0 = FloatVector.broadcast(S, a[a0 + kk]).fma(w0, c0);
            c1 = FloatVector.broadcast(S, a[a1 + kk]).fma(w0, c1);
            c2 = FloatVector.broadcast(S, a[a2 + kk]).fma(w0, c2);
            c3 = FloatVector.broadcast(S, a[a3 + kk]).fma(w0, c3);
        }
        FloatVector b0 = FloatVector.fromArray(S, bias, j);
        epilogue(c0, b0, act).intoArray(c, o + j);
        epilogue(c1, b0, act).intoArray(c, o + n + j);
        epilogue(c2, b0, act).intoArray(c, o + 2 * n + j);
        epilogue(c3, b0, act).intoArray(c, o + 3 * n + j);
    }

    /** One row, one vector of columns, masked at the end of the row. */
    private static void block1x1(float[] a, int ar, int k, float[] b, int n, int j, float[] bias, int act, float[] c, int o) {
        VectorMask<Float> m = S.indexInRange(j, n);
        FloatVector acc = FloatVector.zero(S);
        for (int kk = 0; kk < k; kk++) {
            acc = FloatVector.broadcast(S, a[ar + kk]).fma(FloatVector.fromArray(S, b, kk * n + j, m), acc);
        }
        epilogue(acc, FloatVector.fromArray(S, bias, j, m), act).intoArray(c, o + j, m);
    }

    private static FloatVector epilogue(FloatVector acc, FloatVector bias, int act) {
        FloatVector v = acc.add(bias);
        return switch (act) {
            case NnOps.RELU -> v.max(0f);
            case NnOps.LEAKY -> v.max(v.mul(NnOps.LEAKY_ALPHA));
            default -> v;
        };
    }

    static void depthwise3x3(float[] in, int h, int w, int c, float[] f, int stride, int padTop, int padLeft,
                             float[] out, int oh, int ow) {
        for (int oy = 0; oy < oh; oy++) {
            int iy0 = oy * stride - padTop;
            int ky0 = Math.max(0, -iy0), ky1 = Math.min(3, h - iy0);
            for (int ox = 0; ox < ow; ox++) {
                int ix0 = ox * stride - padLeft;
                int kx0 = Math.max(0, -ix0), kx1 = Math.min(3, w - ix0);
                int o = (oy * ow + ox) * c, i = (iy0 * w + ix0) * c;
                int ch = 0;
                for (; ch + L <= c; ch += L) depthwisePixel(in, w, c, f, i, ky0, ky1, kx0, kx1, ch, out, o);
                if (ch < c) depthwisePixelMasked(in, w, c, f, i, ky0, ky1, kx0, kx1, ch, out, o);
            }
        }
    }

    /** One vector of channels of one output pixel; {@code i} indexes the window's top-left tap (may lie outside). */
    private static void depthwisePixel(float[] in, int w, int c, float[] f, int i, int ky0, int ky1, int kx0, int kx1,
                                       int ch, float[] out, int o) {
        FloatVector acc = FloatVector.zero(S);
        for (int ky = ky0; ky < ky1; ky++) {
            for (int kx = kx0; kx < kx1; kx++) {
                FloatVector x = FloatVector.fromArray(S, in, i + (ky * w + kx) * c + ch);
                acc = x.fma(FloatVector.fromArray(S, f, (ky * 3 + kx) * c + ch), acc);
            }
        }
        acc.intoArray(out, o + ch);
    }

    private static void depthwisePixelMasked(float[] in, int w, int c, float[] f, int i, int ky0, int ky1, int kx0, int kx1,
                                             int ch, float[] out, int o) {
        VectorMask<Float> m = S.indexInRange(ch, c);
        FloatVector acc = FloatVector.zero(S);
        for (int ky = ky0; ky < ky1; ky++) {
            for (int kx = kx0; kx < kx1; kx++) {
                FloatVector x = FloatVector.fromArray(S, in, i + (ky * w + kx) * c + ch, m);
                acc = x.fma(FloatVector.fromArray(S, f, (ky * 3 + kx) * c + ch, m), acc);
            }
        }
        acc.intoArray(out, o + ch, m);
    }
}
