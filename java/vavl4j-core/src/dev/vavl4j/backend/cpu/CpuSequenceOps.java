package dev.vavl4j.backend.cpu;

import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Ops along time on {@code [B, T, C]} tensors: masking, GLU, depthwise conv, pooling.
 *
 * <p>Twins: {@code CudaConv} (conv) and {@code CudaElementwise} (the rest), whose sigmoid and float sums may
 * differ in rounding; parity tolerance 1e-4 relative for outputs, 1e-3 for gradients, exact for masking, see
 * docs/gpu.md, "Where the twins may differ".
 */
final class CpuSequenceOps {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();
    /** Double lanes, and float lanes of the same count to widen from. */
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final int DL = D.length();
    private static final VectorSpecies<Float> SD = VectorSpecies.of(float.class, VectorShape.forBitSize(32 * DL));

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
                if (r % T >= mask.length(r / T)) {
                    Arrays.fill(z, r * C, (r + 1) * C, 0f);
                    continue;
                }
                int c = 0, ga = r * 2 * C, gb = ga + C;
                for (; c + CpuVectorActivations.N <= C; c += CpuVectorActivations.N) {
                    CpuVectorActivations.glu(g, ga + c, gb + c, z, r * C + c);
                }
                for (; c < C; c++) z[r * C + c] = g[ga + c] * CpuActivations.sigmoid(g[gb + c]);
            }
        });
    }

    static void gluMaskedBackward(float[] dz, float[] g, CpuMask mask, float[] dg, int C) {
        int T = mask.time();
        Parallel.forChunks(mask.batch() * T, 8, C, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                boolean valid = r % T < mask.length(r / T);
                if (!valid) {
                    Arrays.fill(dg, r * 2 * C, (r + 1) * 2 * C, 0f);
                    continue;
                }
                int c0 = 0;
                for (; c0 + CpuVectorActivations.N <= C; c0 += CpuVectorActivations.N) {
                    CpuVectorActivations.gluBackward(dz, r * C + c0, g, r * 2 * C + c0, r * 2 * C + C + c0, dg);
                }
                for (int c = c0; c < C; c++) {
                    int ga = r * 2 * C + c, gb = ga + C;
                    float s = CpuActivations.sigmoid(g[gb]);
                    float d = dz[r * C + c];
                    dg[ga] = d * s;
                    dg[gb] = d * g[ga] * s * (1f - s);
                }
            }
        });
    }

    /**
     * out[b,t,c] = Σ_k w[c,k]·z[b, t+k−half, c], zero outside [0, T). weight [C, K] is transposed to [K, C]
     * so the inner loop runs over contiguous channels; a vector of channels accumulates over all K taps in
     * a register, in tap order with a separate multiply and add, so the sums are those of the scalar loop.
     */
    static void depthwiseConv(float[] z, float[] weight, float[] out, int B, int T, int C, int K) {
        float[] wt = CpuGemm.transpose(weight, C, K);
        int half = (K - 1) / 2;
        Parallel.forChunks(B * T, 4, (long) C * K, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int b = r / T, t = r % T;
                int k0 = Math.max(0, half - t), k1 = Math.min(K, T + half - t); // taps that land inside [0, T)
                int zBase = (b * T + t - half) * C;
                convRow(wt, z, zBase, C, k0, k1, 1, out, r * C);
            }
        });
    }

    /**
     * dst[dOff + c] = Σ_{k in [k0, k1)} wt[k·C + c]·src[srcBase + dir·k·C + c], in tap order, for all C
     * channels: a forward row (dir 1) or a transposed row of the backward pass (dir −1).
     */
    private static void convRow(float[] wt, float[] src, int srcBase, int C, int k0, int k1, int dir, float[] dst,
                                int dOff) {
        int c = 0;
        for (; c + VL <= C; c += VL) {
            FloatVector acc = FloatVector.zero(S);
            for (int kk = k0; kk < k1; kk++) {
                acc = acc.add(FloatVector.fromArray(S, wt, kk * C + c).mul(FloatVector.fromArray(S, src, srcBase + dir * kk * C + c)));
            }
            acc.intoArray(dst, dOff + c);
        }
        for (; c < C; c++) {
            float acc = 0f;
            for (int kk = k0; kk < k1; kk++) acc += wt[kk * C + c] * src[srcBase + dir * kk * C + c];
            dst[dOff + c] = acc;
        }
    }

    static void depthwiseConvBackward(float[] dOut, float[] z, float[] weight, float[] dz, float[] dw, int B, int T,
                                      int C, int K) {
        float[] wt = CpuGemm.transpose(weight, C, K);
        int half = (K - 1) / 2;
        // dz[b,s,c] = Σ_k w[c,k]·dOut[b, s−k+half, c]
        Parallel.forChunks(B * T, 4, (long) C * K, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int b = r / T, s = r % T;
                int k0 = Math.max(0, s + half - (T - 1)), k1 = Math.min(K, s + half + 1); // t = s−k+half in [0, T)
                convRow(wt, dOut, (b * T + s + half) * C, C, k0, k1, -1, dz, r * C);
            }
        });
        // dw[c, k] = Σ_{b,t} dOut[b,t,c]·z[b,t+k−half,c]: per-sample partials in double, then summed. The float
        // product is exact in double, so a double FMA equals the scalar multiply-then-add.
        double[][] partial = new double[B][];
        Parallel.forEach(B, (long) T * C * K, b -> {
            double[] acc = new double[K * C];
            for (int t = 0; t < T; t++) {
                int go = (b * T + t) * C;
                for (int kk = 0; kk < K; kk++) {
                    int s = t + kk - half;
                    if (s < 0 || s >= T) continue;
                    int zo = (b * T + s) * C;
                    int c = 0;
                    for (; c + DL <= C; c += DL) {
                        DoubleVector g = (DoubleVector) FloatVector.fromArray(SD, dOut, go + c).convertShape(VectorOperators.F2D, D, 0);
                        DoubleVector x = (DoubleVector) FloatVector.fromArray(SD, z, zo + c).convertShape(VectorOperators.F2D, D, 0);
                        g.fma(x, DoubleVector.fromArray(D, acc, kk * C + c)).intoArray(acc, kk * C + c);
                    }
                    for (; c < C; c++) acc[kk * C + c] += (double) dOut[go + c] * z[zo + c];
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
