package dev.vavl4j.media.audio;

/**
 * Forward real FFT of a power-of-two length in float32, computed with exactly the operations (and their
 * order) of pocketfft's {@code rfftp} (FFTPACK radix-4 passes plus one radix-2 pass), which is what
 * {@code torch.fft.rfft} runs on the CPU. Why float32 and why that order: a Kaldi fbank bin with strong
 * cancellation (a low mel bin after pre-emphasis removed most of its energy) moves by 1e-3 in log when
 * the FFT's rounding changes, so matching torchaudio to 1e-3 everywhere needs the same rounding, not
 * merely a more accurate transform. Java float arithmetic is IEEE round-to-nearest with no fused
 * multiply-add, like the (non-FMA) x86-64 build of pocketfft.
 *
 * <p>Output is FFTPACK half-complex order: {@code r0, r1, i1, r2, i2, ..., r(n/2)}. Immutable after
 * construction (twiddles only); {@link #forward} takes the caller's buffers, so one instance serves all
 * threads.
 */
final class RealFft {
    private static final float HSQT2 = (float) 0.707106781186547524400844362104849;

    private final int n;
    /** Factors in pocketfft's order: 4s, with a single 2 (if any) moved to the front. */
    private final int[] factors;
    /** Per factor, the twiddles it reads (null for the last factor, which needs none). */
    private final float[][] twiddles;

    RealFft(int n) {
        if (n < 2 || Integer.bitCount(n) != 1) throw new IllegalArgumentException("FFT length must be a power of two ≥ 2, got " + n);
        this.n = n;
        int fours = Integer.numberOfTrailingZeros(n) / 2;
        boolean two = Integer.numberOfTrailingZeros(n) % 2 == 1;
        factors = new int[fours + (two ? 1 : 0)];
        java.util.Arrays.fill(factors, 4);
        if (two) factors[0] = 2;   // pocketfft swaps the 2 to the front of the list

        float[] cs = sincos(n);
        twiddles = new float[factors.length][];
        int l1 = 1;
        for (int k = 0; k < factors.length; k++) {
            int ip = factors[k], ido = n / (l1 * ip);
            if (k < factors.length - 1) {
                float[] tw = new float[(ip - 1) * (ido - 1)];
                for (int j = 1; j < ip; j++) {
                    for (int i = 1; i <= (ido - 1) / 2; i++) {
                        tw[(j - 1) * (ido - 1) + 2 * i - 2] = cs[2 * j * l1 * i];
                        tw[(j - 1) * (ido - 1) + 2 * i - 1] = cs[2 * j * l1 * i + 1];
                    }
                }
                twiddles[k] = tw;
            }
            l1 *= ip;
        }
    }

    int size() {
        return n;
    }

    /**
     * cos and sin of 2πm/n for m in [0, n/2), interleaved, built like pocketfft's sincos_2pibyn: the first
     * octant rounded from double, the rest by exact symmetry, so mirrored entries are bit-identical.
     */
    private static float[] sincos(int n) {
        float[] res = new float[n];   // n/2 complex entries
        int half = n / 2;
        for (int m = 0; m < half; m++) {
            int q = m, quadrant = 0;
            // fold m into the first quadrant [0, n/4) (m < n/2 so at most one rotation by 90°)
            if (4 * q >= n) { q -= n / 4; quadrant = 1; }
            float c, s;
            if (8 * q <= n) {
                c = (float) StrictMath.cos(2 * Math.PI * q / n);
                s = (float) StrictMath.sin(2 * Math.PI * q / n);
                if (8 * q == n) c = s = HSQT2;
            } else {   // second octant: mirror of the first
                int r = n / 4 - q;
                c = (float) StrictMath.sin(2 * Math.PI * r / n);
                s = (float) StrictMath.cos(2 * Math.PI * r / n);
            }
            if (quadrant == 1) { float t = c; c = -s; s = t; }
            res[2 * m] = c;
            res[2 * m + 1] = s;
        }
        return res;
    }

    /**
     * Transforms {@code c[0..n)} in place into half-complex order; {@code work} is scratch of length ≥ n.
     */
    void forward(float[] c, float[] work) {
        float[] p1 = c, p2 = work;
        int l1 = n;
        for (int k = factors.length - 1; k >= 0; k--) {
            int ip = factors[k];
            int ido = n / l1;
            l1 /= ip;
            if (ip == 4) radf4(ido, l1, p1, p2, twiddles[k]);
            else radf2(ido, l1, p1, p2, twiddles[k]);
            float[] t = p1; p1 = p2; p2 = t;
        }
        if (p1 != c) System.arraycopy(p1, 0, c, 0, n);
    }

    // Index helpers of FFTPACK: CC(a,b,c) = cc[a + ido*(b + l1*c)], CH(a,b,c) = ch[a + ido*(b + cdim*c)],
    // WA(x,i) = wa[i + x*(ido-1)]. Written out inline below; the variable names follow pocketfft's.

    private static void radf2(int ido, int l1, float[] cc, float[] ch, float[] wa) {
        // CC(a,k,c) = cc[a + ido*(k + l1*c)], CH(a,b,k) = ch[a + ido*(b + 2*k)]
        for (int k = 0; k < l1; k++) {
            float a = cc[ido * k], b = cc[ido * (k + l1)];
            ch[ido * 2 * k] = a + b;
            ch[ido - 1 + ido * (1 + 2 * k)] = a - b;
        }
        if ((ido & 1) == 0) {
            for (int k = 0; k < l1; k++) {
                ch[ido * (1 + 2 * k)] = -cc[ido - 1 + ido * (k + l1)];
                ch[ido - 1 + ido * 2 * k] = cc[ido - 1 + ido * k];
            }
        }
        if (ido <= 2) return;
        for (int k = 0; k < l1; k++) {
            int c0 = ido * k, c1 = ido * (k + l1), h0 = ido * 2 * k, h1 = ido * (1 + 2 * k);
            for (int i = 2; i < ido; i += 2) {
                int ic = ido - i;
                float wr = wa[i - 2], wi = wa[i - 1];
                float tr2 = wr * cc[c1 + i - 1] + wi * cc[c1 + i];
                float ti2 = wr * cc[c1 + i] - wi * cc[c1 + i - 1];
                ch[h0 + i - 1] = cc[c0 + i - 1] + tr2;
                ch[h1 + ic - 1] = cc[c0 + i - 1] - tr2;
                ch[h0 + i] = ti2 + cc[c0 + i];
                ch[h1 + ic] = ti2 - cc[c0 + i];
            }
        }
    }

    private static void radf4(int ido, int l1, float[] cc, float[] ch, float[] wa) {
        // CC(a,k,c) = cc[a + ido*(k + l1*c)], CH(a,b,k) = ch[a + ido*(b + 4*k)]
        int s = ido * l1;   // stride between the four input quarters
        for (int k = 0; k < l1; k++) {
            int c = ido * k, h = ido * 4 * k;
            float c0 = cc[c], c1 = cc[c + s], c2 = cc[c + 2 * s], c3 = cc[c + 3 * s];
            float tr1 = c3 + c1;
            ch[h + 2 * ido] = c3 - c1;
            float tr2 = c0 + c2;
            ch[h + ido - 1 + ido] = c0 - c2;
            ch[h] = tr2 + tr1;
            ch[h + ido - 1 + 3 * ido] = tr2 - tr1;
        }
        if ((ido & 1) == 0) {
            for (int k = 0; k < l1; k++) {
                int c = ido - 1 + ido * k, h = ido * 4 * k;
                float ti1 = -HSQT2 * (cc[c + s] + cc[c + 3 * s]);
                float tr1 = HSQT2 * (cc[c + s] - cc[c + 3 * s]);
                ch[h + ido - 1] = cc[c] + tr1;
                ch[h + ido - 1 + 2 * ido] = cc[c] - tr1;
                ch[h + 3 * ido] = ti1 + cc[c + 2 * s];
                ch[h + ido] = ti1 - cc[c + 2 * s];
            }
        }
        if (ido <= 2) return;
        int w1 = ido - 1, w2 = 2 * (ido - 1);
        for (int k = 0; k < l1; k++) {
            int c = ido * k, h = ido * 4 * k;
            for (int i = 2; i < ido; i += 2) {
                int ic = ido - i;
                // MULPM(a,b,c,d,e,f): a = c*e + d*f; b = c*f - d*e   (conj(w) * x)
                float xr = cc[c + s + i - 1], xi = cc[c + s + i];
                float cr2 = wa[i - 2] * xr + wa[i - 1] * xi, ci2 = wa[i - 2] * xi - wa[i - 1] * xr;
                xr = cc[c + 2 * s + i - 1]; xi = cc[c + 2 * s + i];
                float cr3 = wa[w1 + i - 2] * xr + wa[w1 + i - 1] * xi, ci3 = wa[w1 + i - 2] * xi - wa[w1 + i - 1] * xr;
                xr = cc[c + 3 * s + i - 1]; xi = cc[c + 3 * s + i];
                float cr4 = wa[w2 + i - 2] * xr + wa[w2 + i - 1] * xi, ci4 = wa[w2 + i - 2] * xi - wa[w2 + i - 1] * xr;
                float tr1 = cr4 + cr2, tr4 = cr4 - cr2;
                float ti1 = ci2 + ci4, ti4 = ci2 - ci4;
                float tr2 = cc[c + i - 1] + cr3, tr3 = cc[c + i - 1] - cr3;
                float ti2 = cc[c + i] + ci3, ti3 = cc[c + i] - ci3;
                ch[h + i - 1] = tr2 + tr1;
                ch[h + ic - 1 + 3 * ido] = tr2 - tr1;
                ch[h + i] = ti1 + ti2;
                ch[h + ic + 3 * ido] = ti1 - ti2;
                ch[h + i - 1 + 2 * ido] = tr3 + ti4;
                ch[h + ic - 1 + ido] = tr3 - ti4;
                ch[h + i + 2 * ido] = tr4 + ti3;
                ch[h + ic + ido] = tr4 - ti3;
            }
        }
    }
}
