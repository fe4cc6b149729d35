package dev.vavl4j.media.visual;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class NnOpsTest {
    private static float[] random(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
        return v;
    }

    @Test
    void samePaddingAsTensorFlow() {
        assertEquals(104, NnOps.sameOut(207, 2));
        assertEquals(0, NnOps.samePadBefore(112, 3, 2)); // total 1: all after
        assertEquals(1, NnOps.samePadBefore(7, 3, 1));
        assertEquals(0, NnOps.samePadBefore(13, 2, 1));
        assertEquals(13, TinyFaceDetector.gridSize(416));
        assertEquals(10, TinyFaceDetector.gridSize(320));
        assertEquals(7, TinyFaceDetector.gridSize(224));
    }

    @Test
    void resizeAxisIsTfjsWithoutAlignCornersOrHalfPixels() {
        NnOps.ResizeAxis up = NnOps.ResizeAxis.of(2, 4); // src = i / 2
        assertArrayEquals(new int[] {0, 0, 1, 1}, up.lo());
        assertArrayEquals(new int[] {0, 1, 1, 1}, up.hi()); // ceil clamped to the last row
        assertArrayEquals(new double[] {0, 0.5, 0, 0.5}, up.frac());
        NnOps.ResizeAxis down = NnOps.ResizeAxis.of(4, 2); // src = 2i: every other pixel, no blending
        assertArrayEquals(new int[] {0, 2}, down.lo());
        assertArrayEquals(new double[] {0, 0}, down.frac());
    }

    @Test
    void depthwiseZeroPadsOutsideTheInput() {
        float[] ones = new float[9];
        java.util.Arrays.fill(ones, 1f);
        float[] out = new float[9];
        NnOps.depthwise3x3Scalar(ones, 3, 3, 1, ones, 1, 1, 1, out, 3, 3);
        assertArrayEquals(new float[] {4, 6, 4, 6, 9, 6, 4, 6, 4}, out);
    }

    @Test
    void maxPoolClipsTheWindowAtAnOddEdge() {
        float[] in = {1, 2, 3, 4, 5, 6, 7, 8, 9}; // 3×3, one channel
        float[] out = new float[4];
        NnOps.maxPool2x2(in, 3, 3, 1, 2, out, 0, 2, 2);
        assertArrayEquals(new float[] {5, 6, 8, 9}, out);
        float[] same = new float[9];
        NnOps.maxPool2x2(in, 3, 3, 1, 1, same, 0, 3, 3);
        assertArrayEquals(new float[] {5, 6, 6, 8, 9, 9, 8, 9, 9}, same);
    }

    @Test
    void avgPoolValid() {
        float[] in = new float[7 * 7 * 2];
        for (int i = 0; i < 49; i++) {
            in[2 * i] = i;
            in[2 * i + 1] = 1;
        }
        float[] out = new float[2];
        NnOps.avgPool(in, 7, 7, 2, 7, 2, out);
        assertArrayEquals(new float[] {24, 1}, out);
    }

    /** im2col + matmul is the 3×3 convolution written out directly, stride and 'same' padding included. */
    @Test
    void im2colConvolutionIsTheDirectOne() {
        SplittableRandom r = new SplittableRandom(3);
        int h = 9, w = 8, cin = 3, cout = 5, stride = 2;
        int oh = NnOps.sameOut(h, stride), ow = NnOps.sameOut(w, stride);
        int pt = NnOps.samePadBefore(h, 3, stride), pl = NnOps.samePadBefore(w, 3, stride);
        float[] x = random(r, h * w * cin), f = random(r, 9 * cin * cout), bias = random(r, cout);
        float[] patches = new float[oh * ow * 9 * cin], got = new float[oh * ow * cout];
        NnOps.im2col3x3(x, h, w, cin, stride, pt, pl, 0, oh, ow, patches);
        NnOps.matmulScalar(patches, 0, oh * ow, 9 * cin, f, cout, bias, NnOps.NONE, got, 0);
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                for (int co = 0; co < cout; co++) {
                    double s = bias[co];
                    for (int ky = 0; ky < 3; ky++) {
                        for (int kx = 0; kx < 3; kx++) {
                            int iy = oy * stride + ky - pt, ix = ox * stride + kx - pl;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                            for (int ci = 0; ci < cin; ci++) s += x[(iy * w + ix) * cin + ci] * f[((ky * 3 + kx) * cin + ci) * cout + co];
                        }
                    }
                    assertEquals(s, got[(oy * ow + ox) * cout + co], 1e-5);
                }
            }
        }
    }

    @Test
    void activations() {
        float[] a = {1, -2}, b = {1}, bias = {0.5f}, c = new float[2];
        NnOps.matmulScalar(a, 0, 2, 1, b, 1, bias, NnOps.LEAKY, c, 0);
        assertArrayEquals(new float[] {1.5f, 0.1f * -1.5f}, c);
        NnOps.matmulScalar(a, 0, 2, 1, b, 1, bias, NnOps.RELU, c, 0);
        assertArrayEquals(new float[] {1.5f, 0f}, c);
    }

    /** The Vector API kernels give the plain loops' results, over shapes with every kind of tail. */
    @Test
    void vectorKernelsMatchThePlainLoops() {
        Assumptions.assumeTrue(NnOps.VECTOR, "jdk.incubator.vector is not in this JVM");
        SplittableRandom r = new SplittableRandom(7);
        for (int[] s : new int[][] {{1, 3, 1}, {5, 27, 16}, {9, 16, 32}, {7, 512, 25}, {6, 33, 47}, {13, 64, 128}, {4, 8, 7}}) {
            int rows = s[0], k = s[1], n = s[2];
            float[] a = random(r, rows * k + 3), b = random(r, k * n), bias = random(r, n);
            for (int act : new int[] {NnOps.NONE, NnOps.RELU, NnOps.LEAKY}) {
                float[] want = new float[rows * n + 2], got = new float[rows * n + 2];
                NnOps.matmulScalar(a, 3, rows, k, b, n, bias, act, want, 2);
                NnVectorOps.matmul(a, 3, rows, k, b, n, bias, act, got, 2);
                assertClose(want, got, 1e-5, "matmul " + rows + "x" + k + "x" + n);
            }
        }
        for (int[] s : new int[][] {{5, 7, 16, 1}, {8, 8, 20, 2}, {3, 4, 3, 1}, {11, 6, 64, 2}}) {
            int h = s[0], w = s[1], c = s[2], stride = s[3];
            int oh = NnOps.sameOut(h, stride), ow = NnOps.sameOut(w, stride);
            int pt = NnOps.samePadBefore(h, 3, stride), pl = NnOps.samePadBefore(w, 3, stride);
            float[] x = random(r, h * w * c), f = random(r, 9 * c);
            float[] want = new float[oh * ow * c], got = new float[oh * ow * c];
            NnOps.depthwise3x3Scalar(x, h, w, c, f, stride, pt, pl, want, oh, ow);
            NnVectorOps.depthwise3x3(x, h, w, c, f, stride, pt, pl, got, oh, ow);
            assertClose(want, got, 1e-6, "depthwise " + h + "x" + w + "x" + c + "/" + stride);
        }
    }

    private static void assertClose(float[] want, float[] got, double tol, String what) {
        for (int i = 0; i < want.length; i++) {
            assertTrue(Math.abs(want[i] - got[i]) <= tol * Math.max(1, Math.abs(want[i])), what + " at " + i + ": " + want[i] + " vs " + got[i]);
        }
    }
}
