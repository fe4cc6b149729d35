package dev.vavl4j.backend.cpu;

import dev.vavl4j.backend.DropoutHash;
import java.util.Arrays;

/**
 * Relative-position multi-head attention with key masking (spec §3), forward and backward.
 * Layout: q, k, v, ctx {@code [B, T, d]} with head h in columns [h·dh, (h+1)·dh); pos {@code [2T−1, d]}
 * with row (i − j) + T − 1; probs {@code [B, H, T, T]} before dropout.
 *
 * <p>With OpenBLAS present the work goes to {@link CpuAttentionGemm}, which computes the same thing as
 * small matrix products per (sample, head). Why: the reference below takes one dh-wide dot product (or axpy)
 * per (query, key) pair, each ending in a lane reduction, and that cost about 7% of a training step each
 * way; as products the same arithmetic runs at GEMM speed. The reference stays as the readable
 * definition, the fallback without OpenBLAS, and the oracle of the tests.
 *
 * <p>Twin of {@code CudaAttention}, which sums scores and the softmax in float where the softmax sum here is
 * double; parity tolerance 1e-4 relative for probs and ctx, 1e-3 for gradients, see docs/gpu.md, "Where the
 * twins may differ".
 */
final class CpuAttention {
    private CpuAttention() {}

    static void forward(float[] q, float[] k, float[] v, float[] pos, float[] u, float[] vb, int H, CpuMask mask,
                        float p, long seed, float[] probs, float[] ctx) {
        OpenBlas blas = OpenBlas.get();
        if (blas != null) CpuAttentionGemm.forward(blas, q, k, v, pos, u, vb, H, mask, p, seed, probs, ctx);
        else referenceForward(q, k, v, pos, u, vb, H, mask, p, seed, probs, ctx);
    }

    static void backward(float[] dctx, float[] q, float[] k, float[] v, float[] pos, float[] u, float[] vb, int H,
                         CpuMask mask, float p, long seed, float[] probs, float[] dq, float[] dk, float[] dv,
                         float[] dpos, float[] du, float[] dvb) {
        OpenBlas blas = OpenBlas.get();
        if (blas != null) {
            CpuAttentionGemm.backward(blas, dctx, q, k, v, pos, u, vb, H, mask, p, seed, probs, dq, dk, dv, dpos, du,
                    dvb);
        } else {
            referenceBackward(dctx, q, k, v, pos, u, vb, H, mask, p, seed, probs, dq, dk, dv, dpos, du, dvb);
        }
    }

    /** One row of scores at a time: dot products per (query, key) pair. */
    static void referenceForward(float[] q, float[] k, float[] v, float[] pos, float[] u, float[] vb, int H,
                                 CpuMask mask, float p, long seed, float[] probs, float[] ctx) {
        int B = mask.batch(), T = mask.time();
        int d = u.length, dh = d / H;
        float scale = (float) (1.0 / Math.sqrt(dh));
        float keep = p > 0 ? 1f / (1f - p) : 1f;
        Parallel.forEach(B * H, (long) T * T * dh * 3, task -> {
            int b = task / H, h = task % H, L = mask.length(b);
            float[] qu = new float[dh], qv = new float[dh], e = new float[T];
            long pbase = (long) (b * H + h) * T * T;
            for (int i = 0; i < T; i++) {
                int qi = (b * T + i) * d + h * dh;
                for (int c = 0; c < dh; c++) {
                    qu[c] = q[qi + c] + u[h * dh + c];
                    qv[c] = q[qi + c] + vb[h * dh + c];
                }
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < L; j++) {
                    float s = (CpuGemm.dot(qu, 0, k, (b * T + j) * d + h * dh, dh)
                            + CpuGemm.dot(qv, 0, pos, (i - j + T - 1) * d + h * dh, dh)) * scale;
                    e[j] = s;
                    if (s > max) max = s;
                }
                double sum = 0;
                for (int j = 0; j < L; j++) {
                    e[j] = (float) Math.exp(e[j] - max);
                    sum += e[j];
                }
                int prow = (int) (pbase + (long) i * T);
                int ci = (b * T + i) * d + h * dh;
                Arrays.fill(ctx, ci, ci + dh, 0f);
                for (int j = 0; j < T; j++) {
                    float a = j < L ? (float) (e[j] / sum) : 0f;
                    probs[prow + j] = a;
                    if (j >= L) continue;
                    float ad = p > 0 ? (DropoutHash.uniform(seed, prow + j) < p ? 0f : a * keep) : a;
                    if (ad != 0f) CpuGemm.axpy(ad, v, (b * T + j) * d + h * dh, ctx, ci, dh);
                }
            }
        });
    }

    /** Overwrites dq, dk, dv, dpos; adds to du, dvb. */
    static void referenceBackward(float[] dctx, float[] q, float[] k, float[] v, float[] pos, float[] u, float[] vb,
                                  int H, CpuMask mask, float p, long seed, float[] probs, float[] dq, float[] dk,
                                  float[] dv, float[] dpos, float[] du, float[] dvb) {
        int B = mask.batch(), T = mask.time();
        int d = u.length, dh = d / H;
        float scale = (float) (1.0 / Math.sqrt(dh));
        float keep = p > 0 ? 1f / (1f - p) : 1f;
        // Parallel over heads: each task owns its head's column slice of every output, dPos included.
        Parallel.forEach(H, (long) B * T * T * dh * 6, h -> {
            int col = h * dh;
            for (int r = 0; r < B * T; r++) {
                Arrays.fill(dq, r * d + col, r * d + col + dh, 0f);
                Arrays.fill(dk, r * d + col, r * d + col + dh, 0f);
                Arrays.fill(dv, r * d + col, r * d + col + dh, 0f);
            }
            for (int r = 0; r < 2 * T - 1; r++) Arrays.fill(dpos, r * d + col, r * d + col + dh, 0f);
            double[] sumU = new double[dh], sumV = new double[dh];
            float[] qu = new float[dh], qv = new float[dh], da = new float[T], dqu = new float[dh],
                    dqv = new float[dh];
            for (int b = 0; b < B; b++) {
                int L = mask.length(b);
                long pbase = (long) (b * H + h) * T * T;
                for (int i = 0; i < T; i++) {
                    int qi = (b * T + i) * d + col;
                    int prow = (int) (pbase + (long) i * T);
                    double rowDot = 0;
                    for (int j = 0; j < L; j++) {
                        float a = probs[prow + j];
                        float mult = p > 0 ? (DropoutHash.uniform(seed, prow + j) < p ? 0f : keep) : 1f;
                        float g = CpuGemm.dot(dctx, qi, v, (b * T + j) * d + col, dh) * mult;
                        da[j] = g;
                        rowDot += (double) a * g;
                        if (a * mult != 0f) CpuGemm.axpy(a * mult, dctx, qi, dv, (b * T + j) * d + col, dh);
                    }
                    for (int c = 0; c < dh; c++) {
                        qu[c] = q[qi + c] + u[col + c];
                        qv[c] = q[qi + c] + vb[col + c];
                    }
                    Arrays.fill(dqu, 0f);
                    Arrays.fill(dqv, 0f);
                    for (int j = 0; j < L; j++) {
                        float ds = (float) (probs[prow + j] * (da[j] - rowDot)) * scale;
                        if (ds == 0f) continue;
                        int kj = (b * T + j) * d + col;
                        int pr = (i - j + T - 1) * d + col;
                        CpuGemm.axpy(ds, k, kj, dqu, 0, dh);
                        CpuGemm.axpy(ds, qu, 0, dk, kj, dh);
                        CpuGemm.axpy(ds, pos, pr, dqv, 0, dh);
                        CpuGemm.axpy(ds, qv, 0, dpos, pr, dh);
                    }
                    for (int c = 0; c < dh; c++) {
                        dq[qi + c] = dqu[c] + dqv[c];
                        sumU[c] += dqu[c];
                        sumV[c] += dqv[c];
                    }
                }
            }
            for (int c = 0; c < dh; c++) {
                du[col + c] += (float) sumU[c];
                dvb[col + c] += (float) sumV[c];
            }
        });
    }
}
