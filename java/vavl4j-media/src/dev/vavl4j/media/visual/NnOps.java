package dev.vavl4j.media.visual;

import dev.vavl4j.backend.cpu.JvmRequirements;

/**
 * The few kernels the two face networks need, on one image in NHWC float layout ({@code x[(y·w + x)·c + ch]}).
 * These loops are the readable definition: each one says what the tfjs op it replaces computes (padding,
 * window clipping, rounding of the resize). Filters are in TF's HWIO layout ({@code [3, 3, cin, cout]},
 * depthwise {@code [3, 3, c, 1]}), so the manifests' arrays are used as they are.
 *
 * <p>The 1×1 products and the 3×3 depthwise convolutions carry almost all of the arithmetic; when the JVM has
 * {@code jdk.incubator.vector} (vavl4j's CPU backend needs it anyway) they run in {@link NnVectorOps}, whose
 * register-blocked products are some 20× faster than what C2 makes of the plain loops below (measured
 * 4–6 GFLOP/s here against ~100). {@code -Dvavl.visual.scalar=true} forces the plain loops. The two paths
 * agree to float rounding, tested in NnOpsTest. Both sum in tfjs's order and round once per term with
 * {@link Math#fma}, as tfjs's JavaScript does (a float32 product is exact in double, the sum is stored back
 * to float32): on the CREMA-D crops the vector path's bottleneck features match face-api to 5e-9.
 */
final class NnOps {
    static final boolean VECTOR = JvmRequirements.vectorModulePresent() && !Boolean.getBoolean("vavl.visual.scalar");

    static final int NONE = 0, RELU = 1, LEAKY = 2;

    /** tfjs's leaky(x) = relu(x − 0.1x) + 0.1x, i.e. max(x, 0.1x) with alpha the float32 0.1. */
    static final float LEAKY_ALPHA = 0.1f;

    private NnOps() {}

    /** Output size of a TF 'same' convolution or pool: ⌈in / stride⌉. */
    static int sameOut(int in, int stride) {
        return (in + stride - 1) / stride;
    }

    /** Padding before the first row/column of a TF 'same' op: half the total, rounded down (the extra goes after). */
    static int samePadBefore(int in, int kernel, int stride) {
        return Math.max((sameOut(in, stride) - 1) * stride + kernel - in, 0) / 2;
    }

    static float activate(float v, int act) {
        return switch (act) {
            case RELU -> v > 0f ? v : 0f;
            case LEAKY -> v > 0f ? v : LEAKY_ALPHA * v;
            default -> v;
        };
    }

    /**
     * {@code c[r, j] = act(Σ_kk a[r, kk]·b[kk, j] + bias[j])} for {@code r < rows}: a 1×1 convolution over
     * {@code rows} pixels ({@code a} at {@code aOff}, row length {@code k}; {@code b} is {@code [k, n]}) or, on
     * im2col patches, a full 3×3 one. The bias is added after the sum, as tf.add follows tf.conv2d.
     */
    static void matmul(float[] a, int aOff, int rows, int k, float[] b, int n, float[] bias, int act, float[] c, int cOff) {
        if (VECTOR) NnVectorOps.matmul(a, aOff, rows, k, b, n, bias, act, c, cOff);
        else matmulScalar(a, aOff, rows, k, b, n, bias, act, c, cOff);
    }

    static void matmulScalar(float[] a, int aOff, int rows, int k, float[] b, int n, float[] bias, int act, float[] c, int cOff) {
        for (int r = 0; r < rows; r++) {
            int o = cOff + r * n;
            java.util.Arrays.fill(c, o, o + n, 0f);
            int ar = aOff + r * k;
            for (int kk = 0; kk < k; kk++) {
                float av = a[ar + kk];
                if (av == 0f) continue; // half of a ReLU's outputs are zero
                int bk = kk * n;
                for (int j = 0; j < n; j++) c[o + j] = Math.fma(av, b[bk + j], c[o + j]);
            }
            for (int j = 0; j < n; j++) c[o + j] = activate(c[o + j] + bias[j], act);
        }
    }

    /**
     * 3×3 depthwise convolution (tf.depthwiseConv2d, channel multiplier 1, no bias): {@code out[oy, ox, ch] =
     * Σ in[oy·s + ky − padTop, ox·s + kx − padLeft, ch] · f[ky, kx, ch]}, taps outside the input are zero.
     */
    static void depthwise3x3(float[] in, int h, int w, int c, float[] f, int stride, int padTop, int padLeft,
                             float[] out, int oh, int ow) {
        if (VECTOR) NnVectorOps.depthwise3x3(in, h, w, c, f, stride, padTop, padLeft, out, oh, ow);
        else depthwise3x3Scalar(in, h, w, c, f, stride, padTop, padLeft, out, oh, ow);
    }

    static void depthwise3x3Scalar(float[] in, int h, int w, int c, float[] f, int stride, int padTop, int padLeft,
                                   float[] out, int oh, int ow) {
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                int o = (oy * ow + ox) * c;
                java.util.Arrays.fill(out, o, o + c, 0f);
                for (int ky = 0; ky < 3; ky++) {
                    int iy = oy * stride + ky - padTop;
                    if (iy < 0 || iy >= h) continue;
                    for (int kx = 0; kx < 3; kx++) {
                        int ix = ox * stride + kx - padLeft;
                        if (ix < 0 || ix >= w) continue;
                        int i = (iy * w + ix) * c, fo = (ky * 3 + kx) * c;
                        for (int ch = 0; ch < c; ch++) out[o + ch] = Math.fma(in[i + ch], f[fo + ch], out[o + ch]);
                    }
                }
            }
        }
    }

    /**
     * The 3×3 patches of output rows {@code [y0, y1)} of a full convolution, zero outside the input:
     * {@code patches[((oy − y0)·ow + ox)·9·cin + (ky·3 + kx)·cin + ci]}, the row order of an HWIO filter seen
     * as a {@code [9·cin, cout]} matrix, so {@link #matmul} finishes the convolution.
     */
    static void im2col3x3(float[] in, int h, int w, int cin, int stride, int padTop, int padLeft,
                          int y0, int y1, int ow, float[] patches) {
        int kk = 9 * cin, run = 3 * cin;
        for (int oy = y0; oy < y1; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                int p = ((oy - y0) * ow + ox) * kk;
                int ix0 = ox * stride - padLeft;
                for (int ky = 0; ky < 3; ky++) {
                    int iy = oy * stride + ky - padTop;
                    int q = p + ky * run;
                    if (iy >= 0 && iy < h && ix0 >= 0 && ix0 + 2 < w) {
                        // the window's row is 3 neighbouring pixels: one contiguous run of 3·cin floats
                        int src = (iy * w + ix0) * cin;
                        for (int e = 0; e < run; e++) patches[q + e] = in[src + e];
                        continue;
                    }
                    for (int kx = 0; kx < 3; kx++) {
                        int ix = ix0 + kx;
                        boolean inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
                        for (int ci = 0; ci < cin; ci++) patches[q + kx * cin + ci] = inside ? in[(iy * w + ix) * cin + ci] : 0f;
                    }
                }
            }
        }
    }

    /**
     * 2×2 max pool, TF 'same' padding: for a 2-wide window the padding is all after the input, so a window
     * at the last row or column of an odd size holds only the cells inside (tf.maxPool ignores padding).
     */
    static void maxPool2x2(float[] in, int h, int w, int c, int stride, float[] out, int outOff, int oh, int ow) {
        for (int oy = 0; oy < oh; oy++) {
            // a window cut by the edge repeats its inside cell, which leaves the max unchanged
            int y0 = oy * stride, y1 = Math.min(y0 + 1, h - 1);
            for (int ox = 0; ox < ow; ox++) {
                int x0 = ox * stride, x1 = Math.min(x0 + 1, w - 1);
                int o = outOff + (oy * ow + ox) * c;
                int i00 = (y0 * w + x0) * c, i01 = (y0 * w + x1) * c, i10 = (y1 * w + x0) * c, i11 = (y1 * w + x1) * c;
                for (int ch = 0; ch < c; ch++) {
                    out[o + ch] = Math.max(Math.max(in[i00 + ch], in[i01 + ch]), Math.max(in[i10 + ch], in[i11 + ch]));
                }
            }
        }
    }

    /** k×k average pool, TF 'valid' padding: every window lies inside the input; sums in double as tfjs does. */
    static void avgPool(float[] in, int h, int w, int c, int k, int stride, float[] out) {
        int oh = (h - k) / stride + 1, ow = (w - k) / stride + 1;
        double[] sum = new double[c];
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                java.util.Arrays.fill(sum, 0);
                for (int y = oy * stride; y < oy * stride + k; y++) {
                    for (int x = ox * stride; x < ox * stride + k; x++) {
                        int i = (y * w + x) * c;
                        for (int ch = 0; ch < c; ch++) sum[ch] += in[i + ch];
                    }
                }
                int o = (oy * ow + ox) * c;
                for (int ch = 0; ch < c; ch++) out[o + ch] = (float) (sum[ch] / (k * k));
            }
        }
    }

    /**
     * Source coordinates of tf.image.resizeBilinear with tfjs's defaults as face-api calls it (alignCorners
     * false, halfPixelCenters false): output index {@code i} reads {@code src = i · in / out} (ratio in
     * double), between {@code floor(src)} and {@code min(in − 1, ceil(src))} with weight {@code src − floor}.
     * Returned as {@code lo[i], hi[i], frac[i]}.
     */
    record ResizeAxis(int[] lo, int[] hi, double[] frac) {
        static ResizeAxis of(int in, int out) {
            int[] lo = new int[out], hi = new int[out];
            double[] frac = new double[out];
            double ratio = in / (double) out;
            for (int i = 0; i < out; i++) {
                double src = ratio * i;
                lo[i] = Math.max(0, (int) Math.floor(src));
                hi[i] = Math.min(in - 1, (int) Math.ceil(src));
                frac[i] = src - lo[i];
            }
            return new ResizeAxis(lo, hi, frac);
        }
    }

    /** tfjs's bilinear blend, in double as the CPU kernel computes it: rows first along x, then between rows. */
    static double bilinear(double topLeft, double topRight, double bottomLeft, double bottomRight, double colFrac, double rowFrac) {
        double top = topLeft + (topRight - topLeft) * colFrac;
        double bottom = bottomLeft + (bottomRight - bottomLeft) * colFrac;
        return top + (bottom - top) * rowFrac;
    }
}
