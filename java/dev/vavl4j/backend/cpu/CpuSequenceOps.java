package dev.vavl4j.backend.cpu;

import java.util.Arrays;

/** Ops along time on {@code [B, T, C]} tensors: masking, GLU, depthwise conv, pooling. */
final class CpuSequenceOps {
    private CpuSequenceOps() {}

    static void zeroPadded(float[] x, CpuMask mask, int cols) {
        int T = mask.time();
        for (int b = 0; b < mask.batch(); b++) {
            Arrays.fill(x, (b * T + mask.length(b)) * cols, (b + 1) * T * cols, 0f);
        }
    }

    static void gluMasked(float[] g, CpuMask mask, float[] z, int C) {
        int T = mask.time();
        Parallel.forChunks(mask.batch() * T, 8, C, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                boolean valid = r % T < mask.length(r / T);
                for (int c = 0; c < C; c++) {
                    z[r * C + c] = valid ? g[r * 2 * C + c] * CpuActivations.sigmoid(g[r * 2 * C + C + c]) : 0f;
                }
            }
        });
    }

    static void gluMaskedBackward(float[] dz, float[] g, CpuMask mask, float[] dg, int C) {
        int T = mask.time();
        Parallel.forChunks(mask.batch() * T, 8, C, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                boolean valid = r % T < mask.length(r / T);
                for (int c = 0; c < C; c++) {
                    int ga = r * 2 * C + c, gb = ga + C;
                    if (!valid) {
                        dg[ga] = 0f;
                        dg[gb] = 0f;
                        continue;
                    }
                    float s = CpuActivations.sigmoid(g[gb]);
                    float d = dz[r * C + c];
                    dg[ga] = d * s;
                    dg[gb] = d * g[ga] * s * (1f - s);
                }
            }
        });
    }

    /** weight [C, K] is transposed to [K, C] so the inner loop runs over contiguous channels. */
    static void depthwiseConv(float[] z, float[] weight, float[] out, int B, int T, int C, int K) {
        float[] wt = CpuGemm.transpose(weight, C, K);
        int half = (K - 1) / 2;
        Parallel.forChunks(B * T, 4, (long) C * K, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int b = r / T, t = r % T;
                Arrays.fill(out, r * C, (r + 1) * C, 0f);
                for (int kk = 0; kk < K; kk++) {
                    int s = t + kk - half;
                    if (s < 0 || s >= T) continue;
                    int zo = (b * T + s) * C;
                    for (int c = 0; c < C; c++) out[r * C + c] += wt[kk * C + c] * z[zo + c];
                }
            }
        });
    }

    static void depthwiseConvBackward(float[] dOut, float[] z, float[] weight, float[] dz, float[] dw, int B, int T,
                                      int C, int K) {
        float[] wt = CpuGemm.transpose(weight, C, K);
        int half = (K - 1) / 2;
        Parallel.forChunks(B * T, 4, (long) C * K, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int b = r / T, s = r % T;
                Arrays.fill(dz, r * C, (r + 1) * C, 0f);
                for (int kk = 0; kk < K; kk++) {
                    int t = s - kk + half;
                    if (t < 0 || t >= T) continue;
                    int go = (b * T + t) * C;
                    for (int c = 0; c < C; c++) dz[r * C + c] += wt[kk * C + c] * dOut[go + c];
                }
            }
        });
        // dw[c, k] = Σ_{b,t} dOut[b,t,c]·z[b,t+k−half,c]: per-sample partials in double, then summed.
        double[][] partial = new double[B][];
        Parallel.forEach(B, (long) T * C * K, b -> {
            double[] acc = new double[K * C];
            for (int t = 0; t < T; t++) {
                int go = (b * T + t) * C;
                for (int kk = 0; kk < K; kk++) {
                    int s = t + kk - half;
                    if (s < 0 || s >= T) continue;
                    int zo = (b * T + s) * C;
                    for (int c = 0; c < C; c++) acc[kk * C + c] += (double) dOut[go + c] * z[zo + c];
                }
            }
            partial[b] = acc;
        });
        for (int c = 0; c < C; c++) {
            for (int kk = 0; kk < K; kk++) {
                double s = 0;
                for (int b = 0; b < B; b++) s += partial[b][kk * C + c];
                dw[c * K + kk] += (float) s;
            }
        }
    }

    static void maskedMeanPool(float[] x, CpuMask mask, float[] out, int C) {
        int T = mask.time();
        Parallel.forEach(mask.batch(), (long) T * C, b -> {
            int L = mask.length(b);
            double[] s = new double[C];
            for (int t = 0; t < L; t++) {
                int o = (b * T + t) * C;
                for (int c = 0; c < C; c++) s[c] += x[o + c];
            }
            for (int c = 0; c < C; c++) out[b * C + c] = (float) (s[c] / L);
        });
    }

    static void maskedMeanPoolBackward(float[] dOut, CpuMask mask, float[] dx, int C) {
        int T = mask.time();
        Parallel.forEach(mask.batch(), (long) T * C, b -> {
            int L = mask.length(b);
            float inv = 1f / L;
            for (int t = 0; t < L; t++) CpuGemm.axpy(inv, dOut, b * C, dx, (b * T + t) * C, C);
        });
    }
}
