package dev.vavl4j.backend.cpu;

import dev.vavl4j.backend.DropoutHash;
import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link CpuAttention} as small matrix products through OpenBLAS, the way PyTorch computes it: per (b, h)
 * the content term {@code S = (Q+u)·Kᵀ} and the position term {@code BD = (Q+v)·Pᵀ} over all distances,
 * then {@code score(i, j) = S(i, j) + BD(i, i−j+T−1)} (PyTorch's "relative shift"), masked softmax, and
 * {@code ctx = drop(probs)·V}; backward is the same products transposed, with dS scattered back to the
 * distance columns for the position term. Same arguments, outputs and dropout mask as
 * {@link CpuAttention#referenceForward} / {@link CpuAttention#referenceBackward}.
 *
 * <p>Head slices of q, k, v, ctx and pos are addressed in place (leading dimension d); each task calls
 * OpenBLAS on one thread. Only the L valid key columns, and the distances they reach (rows T−L..2T−2 of
 * pos), enter the products. Between the products, the softmax and its gradient run row by row on the
 * Vector API (exp and the dropout hash included); with the products fast, those scalar loops were half of
 * the remaining time.
 */
final class CpuAttentionGemm {
    private CpuAttentionGemm() {}

    /** Per-thread scratch, grown on demand (a task never nests another attention call). */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        float[] a = new float[0], b = new float[0], c = new float[0], x = new float[0], y = new float[0],
                dx = new float[0], dy = new float[0];

        static float[] grow(float[] s, int n) {
            return s.length >= n ? s : new float[n];
        }

        Scratch forward(int T, int dh) {
            a = grow(a, T * T);
            b = grow(b, T * (2 * T - 1));
            x = grow(x, T * dh);
            y = grow(y, T * dh);
            return this;
        }

        Scratch backward(int T, int dh) {
            forward(T, dh);
            c = grow(c, T * T);
            dx = grow(dx, T * dh);
            dy = grow(dy, T * dh);
            return this;
        }
    }

    static void forward(OpenBlas blas, float[] q, float[] k, float[] v, float[] pos, float[] u, float[] vb, int H,
                        CpuMask mask, float p, long seed, float[] probs, float[] ctx) {
        int B = mask.batch(), T = mask.time();
        int d = u.length, dh = d / H;
        float scale = (float) (1.0 / Math.sqrt(dh));
        float keep = p > 0 ? 1f / (1f - p) : 1f;
        Parallel.forEach(B * H, (long) T * T * dh * 3, task -> {
            int b = task / H, h = task % H, L = mask.length(b), col = h * dh;
            int head = b * T * d + col; // row 0 of this (b, h) slice of q, k, v, ctx
            int pbase = (b * H + h) * T * T;
            if (L == 0) {
                Arrays.fill(probs, pbase, pbase + T * T, 0f);
                for (int i = 0; i < T; i++) Arrays.fill(ctx, head + i * d, head + i * d + dh, 0f);
                return;
            }
            Scratch s = SCRATCH.get().forward(T, dh);
            float[] qu = s.x, qv = s.y, sc = s.a, bd = s.b;
            for (int i = 0; i < T; i++) {
                int qi = head + i * d;
                for (int c = 0; c < dh; c++) {
                    qu[i * dh + c] = (q[qi + c] + u[col + c]) * scale;
                    qv[i * dh + c] = (q[qi + c] + vb[col + c]) * scale;
                }
            }
            // Distances i − j for j < L span pos rows T−L .. 2T−2: W = T + L − 1 columns from lo.
            int lo = T - L, W = T + L - 1;
            blas.sgemm(false, true, T, L, dh, 1f, qu, 0, dh, k, head, d, 0f, sc, 0, L);
            blas.sgemm(false, true, T, W, dh, 1f, qv, 0, dh, pos, lo * d + col, d, 0f, bd, 0, W);
            for (int i = 0; i < T; i++) {
                // Row i of bd holds distance i − j at column i − j + T − 1 − lo = i + L − 1 − j.
                int prow = pbase + i * T;
                softmaxRow(sc, i * L, bd, i * W + i + L - 1, L, probs, prow, p, keep, seed);
                Arrays.fill(probs, prow + L, prow + T, 0f);
            }
            blas.sgemm(false, false, T, dh, L, 1f, sc, 0, L, v, head, d, 0f, ctx, head, d);
        });
    }

    static void backward(OpenBlas blas, float[] dctx, float[] q, float[] k, float[] v, float[] pos, float[] u,
                         float[] vb, int H, CpuMask mask, float p, long seed, float[] probs, float[] dq, float[] dk,
                         float[] dv, float[] dpos, float[] du, float[] dvb) {
        int B = mask.batch(), T = mask.time();
        int d = u.length, dh = d / H;
        float scale = (float) (1.0 / Math.sqrt(dh));
        float keep = p > 0 ? 1f / (1f - p) : 1f;
        // Parallel over heads, looping over the batch inside: each task owns its head's column slice of every
        // output, and dPos (shared by all samples) accumulates without a race.
        Parallel.forEach(H, (long) B * T * T * dh * 8, h -> {
            int col = h * dh;
            for (int r = 0; r < 2 * T - 1; r++) Arrays.fill(dpos, r * d + col, r * d + col + dh, 0f);
            double[] sumU = new double[dh], sumV = new double[dh];
            Scratch s = SCRATCH.get().backward(T, dh);
            float[] qu = s.x, qv = s.y, ds = s.a, dbd = s.b, pm = s.c, dqu = s.dx, dqv = s.dy;
            for (int b = 0; b < B; b++) {
                int L = mask.length(b);
                int head = b * T * d + col;
                int pbase = (b * H + h) * T * T;
                // Key rows j ≥ L get no gradient; rows j < L are overwritten by the products below.
                for (int j = L; j < T; j++) {
                    Arrays.fill(dk, head + j * d, head + j * d + dh, 0f);
                    Arrays.fill(dv, head + j * d, head + j * d + dh, 0f);
                }
                if (L == 0) {
                    for (int i = 0; i < T; i++) Arrays.fill(dq, head + i * d, head + i * d + dh, 0f);
                    continue;
                }
                // dA = dCtx·Vᵀ (valid keys only), then through dropout.
                blas.sgemm(false, true, T, L, dh, 1f, dctx, head, d, v, head, d, 0f, ds, 0, L);
                for (int i = 0; i < T; i++) {
                    softmaxGradRow(ds, pm, i * L, probs, pbase + i * T, L, p, keep, seed, scale);
                }
                // dV = drop(probs)ᵀ·dCtx (without dropout, probs as they are: L columns of rows of T).
                if (p > 0) blas.sgemm(true, false, L, dh, T, 1f, pm, 0, L, dctx, head, d, 0f, dv, head, d);
                else blas.sgemm(true, false, L, dh, T, 1f, probs, pbase, T, dctx, head, d, 0f, dv, head, d);
                for (int i = 0; i < T; i++) {
                    int qi = head + i * d;
                    for (int c = 0; c < dh; c++) {
                        qu[i * dh + c] = q[qi + c] + u[col + c];
                        qv[i * dh + c] = q[qi + c] + vb[col + c];
                    }
                }
                // Content term: dQU = dS·K, dK = dSᵀ·QU.
                blas.sgemm(false, false, T, dh, L, 1f, ds, 0, L, k, head, d, 0f, dqu, 0, dh);
                blas.sgemm(true, false, L, dh, T, 1f, ds, 0, L, qu, 0, dh, 0f, dk, head, d);
                // Position term: dS scattered to distance columns (pos rows lo .. 2T−2), then dQV = dBD·P and
                // dP += dBDᵀ·QV.
                int lo = T - L, W = T + L - 1;
                Arrays.fill(dbd, 0, T * W, 0f);
                for (int i = 0; i < T; i++) {
                    int r = i * L, br = i * W + i + L - 1;
                    for (int j = 0; j < L; j++) dbd[br - j] = ds[r + j];
                }
                blas.sgemm(false, false, T, dh, W, 1f, dbd, 0, W, pos, lo * d + col, d, 0f, dqv, 0, dh);
                blas.sgemm(true, false, W, dh, T, 1f, dbd, 0, W, qv, 0, dh, 1f, dpos, lo * d + col, d);
                for (int i = 0; i < T; i++) {
                    int qi = head + i * d, r = i * dh;
                    for (int c = 0; c < dh; c++) {
                        dq[qi + c] = dqu[r + c] + dqv[r + c];
                        sumU[c] += dqu[r + c];
                        sumV[c] += dqv[r + c];
                    }
                }
            }
            for (int c = 0; c < dh; c++) {
                du[col + c] += (float) sumU[c];
                dvb[col + c] += (float) sumV[c];
            }
        });
    }

    // Per-row softmax and its gradient on the Vector API. Why: one Math.exp (and, with dropout, one 64-bit
    // hash) per (query, key) pair cost as much as the three products together. The arithmetic is the
    // reference's, lane by lane: exp of the float difference in double, rounded to float; the row sums are
    // added in lane order, which changes the last bits only.
    private static final VectorSpecies<Long> LS = LongVector.SPECIES_PREFERRED;
    private static final int N = LS.length();
    private static final VectorSpecies<Double> DS = VectorSpecies.of(double.class, VectorShape.forBitSize(64 * N));
    private static final VectorSpecies<Float> FS = VectorSpecies.of(float.class, VectorShape.forBitSize(32 * N));
    private static final VectorShuffle<Float> REVERSE = VectorShuffle.fromOp(FS, x -> N - 1 - x);

    private static DoubleVector widen(FloatVector x) {
        return (DoubleVector) x.convertShape(VectorOperators.F2D, DS, 0);
    }

    private static FloatVector narrow(DoubleVector x) {
        return (FloatVector) x.convertShape(VectorOperators.D2F, FS, 0);
    }

    /**
     * One query row: scores sc[s + j] += bd[b − j] for j &lt; L, then probs[prow + j] = softmax, and sc[s + j]
     * = the same probabilities after dropout (index prow + j).
     */
    private static void softmaxRow(float[] sc, int s, float[] bd, int b, int L, float[] probs, int prow, float p,
                                   float keep, long seed) {
        FloatVector vmax = FloatVector.broadcast(FS, Float.NEGATIVE_INFINITY);
        int j = 0;
        for (; j + N <= L; j += N) {
            FloatVector x = FloatVector.fromArray(FS, sc, s + j)
                    .add(FloatVector.fromArray(FS, bd, b - j - N + 1).rearrange(REVERSE));
            x.intoArray(sc, s + j);
            vmax = vmax.max(x);
        }
        float max = vmax.reduceLanes(VectorOperators.MAX);
        for (; j < L; j++) {
            float x = sc[s + j] + bd[b - j];
            sc[s + j] = x;
            if (x > max) max = x;
        }
        DoubleVector vsum = DoubleVector.zero(DS);
        for (j = 0; j + N <= L; j += N) {
            FloatVector x = FloatVector.fromArray(FS, sc, s + j).sub(max);
            FloatVector e = narrow(widen(x).lanewise(VectorOperators.EXP));
            e.intoArray(sc, s + j);
            vsum = vsum.add(widen(e));
        }
        double sum = vsum.reduceLanes(VectorOperators.ADD);
        for (; j < L; j++) {
            float e = (float) Math.exp(sc[s + j] - max);
            sc[s + j] = e;
            sum += e;
        }
        for (j = 0; j + N <= L; j += N) {
            FloatVector a = narrow(widen(FloatVector.fromArray(FS, sc, s + j)).div(sum));
            a.intoArray(probs, prow + j);
            if (p > 0) a = a.mul(keep).blend(0f, CpuVectorActivations.dropped(seed, p, prow + j));
            a.intoArray(sc, s + j);
        }
        for (; j < L; j++) {
            float a = (float) (sc[s + j] / sum);
            probs[prow + j] = a;
            sc[s + j] = p > 0 ? (DropoutHash.uniform(seed, prow + j) < p ? 0f : a * keep) : a;
        }
    }

    /**
     * One query row of the softmax backward: on entry ds[r + j] = dCtx_i·v_j; on exit ds[r + j] = dScore·scale,
     * and with dropout pm[r + j] = the dropped-out probabilities (index prow + j).
     */
    private static void softmaxGradRow(float[] ds, float[] pm, int r, float[] probs, int prow, int L, float p,
                                       float keep, long seed, float scale) {
        DoubleVector vdot = DoubleVector.zero(DS);
        int j = 0;
        for (; j + N <= L; j += N) {
            FloatVector a = FloatVector.fromArray(FS, probs, prow + j), g = FloatVector.fromArray(FS, ds, r + j);
            if (p > 0) {
                VectorMask<Float> drop = CpuVectorActivations.dropped(seed, p, prow + j);
                g = g.mul(keep).blend(0f, drop);
                g.intoArray(ds, r + j);
                a.mul(keep).blend(0f, drop).intoArray(pm, r + j);
            }
            vdot = widen(a).fma(widen(g), vdot);
        }
        double rowDot = vdot.reduceLanes(VectorOperators.ADD);
        for (; j < L; j++) {
            float a = probs[prow + j];
            float mult = p > 0 ? (DropoutHash.uniform(seed, prow + j) < p ? 0f : keep) : 1f;
            float g = ds[r + j] * mult;
            ds[r + j] = g;
            if (p > 0) pm[r + j] = a * mult;
            rowDot += (double) a * g;
        }
        for (j = 0; j + N <= L; j += N) {
            DoubleVector a = widen(FloatVector.fromArray(FS, probs, prow + j));
            DoubleVector g = widen(FloatVector.fromArray(FS, ds, r + j));
            narrow(a.mul(g.sub(rowDot))).mul(scale).intoArray(ds, r + j);
        }
        for (; j < L; j++) ds[r + j] = (float) (probs[prow + j] * (ds[r + j] - rowDot)) * scale;
    }
}
