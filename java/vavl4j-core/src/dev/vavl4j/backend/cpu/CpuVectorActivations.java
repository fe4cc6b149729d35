package dev.vavl4j.backend.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fused activation + dropout loops of {@link CpuBackend} on the Vector API: the same arithmetic as the
 * scalar definitions in {@link CpuActivations} and {@link dev.vavl4j.backend.DropoutHash}, lane by lane.
 *
 * <p>Why: these loops ran one {@code Math.exp} and one 64-bit hash per element, about 15% of a paper-size
 * training step. Lanes are as many as a preferred long vector holds (8 with AVX-512): the hash works on
 * long lanes, the sigmoid in double lanes (as the scalar code does), the rest in float lanes of the same
 * count. The sigmoid differs from the scalar one only where the vector {@code exp} and {@code Math.exp}
 * round the last bit of a double differently and that bit decides a float rounding.
 *
 * <p>Each loop covers elements {@code [from, to)} of flat arrays whose element {@code i} has dropout index
 * {@code i}; the callers split the range across cores.
 */
final class CpuVectorActivations {
    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    static final int N = L.length();
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> F = VectorSpecies.of(float.class, VectorShape.forBitSize(32 * N));
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final long[] IOTA = new long[N];

    static {
        for (int i = 0; i < N; i++) IOTA[i] = i;
    }

    private CpuVectorActivations() {}

    /**
     * Lanes dropped by dropout(seed, p) for elements i .. i+N−1: uniform(seed, i) &lt; p, as (h ≫ 40) &lt; p·2²⁴.
     * The one vector form of {@link dev.vavl4j.backend.DropoutHash}, shared with the attention's products.
     */
    static VectorMask<Float> dropped(long seed, float p, long i) {
        LongVector z = LongVector.fromArray(L, IOTA, 0).add(i + 1).mul(GOLDEN).add(seed);
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(0xBF58476D1CE4E5B9L);
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(0x94D049BB133111EBL);
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31));
        DoubleVector u = (DoubleVector) z.lanewise(VectorOperators.LSHR, 40).convert(VectorOperators.L2D, 0);
        return u.compare(VectorOperators.LT, p * 16777216.0).cast(F);
    }


    /** σ(x) rounded to float, as {@link CpuActivations#sigmoid}: 1 / (1 + exp(−x)) in double. */
    private static FloatVector sigmoid(FloatVector x) {
        DoubleVector xd = (DoubleVector) x.convertShape(VectorOperators.F2D, D, 0);
        DoubleVector s = DoubleVector.broadcast(D, 1.0).div(xd.neg().lanewise(VectorOperators.EXP).add(1.0));
        return (FloatVector) s.convertShape(VectorOperators.D2F, F, 0);
    }

    /** z[zo .. zo+N) = a · σ(b) for a = g[ga ..], b = g[gb ..] (one GLU vector, as the scalar loop computes it). */
    static void glu(float[] g, int ga, int gb, float[] z, int zo) {
        FloatVector.fromArray(F, g, ga).mul(sigmoid(FloatVector.fromArray(F, g, gb))).intoArray(z, zo);
    }

    /** The GLU backward of one vector: dA = d·σ(b), dB = d·a·σ(b)·(1 − σ(b)), in the scalar loop's order. */
    static void gluBackward(float[] dz, int zo, float[] g, int ga, int gb, float[] dg) {
        FloatVector s = sigmoid(FloatVector.fromArray(F, g, gb));
        FloatVector d = FloatVector.fromArray(F, dz, zo);
        d.mul(s).intoArray(dg, ga);
        d.mul(FloatVector.fromArray(F, g, ga)).mul(s).mul(s.neg().add(1f)).intoArray(dg, gb);
    }

    /** One vector of bn = (x − mean)·rs·w + b (float, in that order) and out = swish(bn), columns c .. c+N. */
    static void batchNormSwish(float[] x, int xo, float[] mean, float[] rs, float[] w, float[] b, int c, float[] bn,
                               float[] out) {
        FloatVector v = FloatVector.fromArray(F, x, xo).sub(FloatVector.fromArray(F, mean, c))
                .mul(FloatVector.fromArray(F, rs, c)).mul(FloatVector.fromArray(F, w, c)).add(FloatVector.fromArray(F, b, c));
        v.intoArray(bn, xo);
        v.mul(sigmoid(v)).intoArray(out, xo);
    }

    /** swish′(x) = σ(1 + x(1 − σ)) in double lanes, as {@link CpuActivations#swishGrad}. */
    private static DoubleVector swishGrad(DoubleVector xd) {
        DoubleVector s = DoubleVector.broadcast(D, 1.0).div(xd.neg().lanewise(VectorOperators.EXP).add(1.0));
        return s.mul(xd.mul(s.neg().add(1.0)).add(1.0));
    }

    private static DoubleVector widen(float[] a, int i) {
        return (DoubleVector) FloatVector.fromArray(F, a, i).convertShape(VectorOperators.F2D, D, 0);
    }

    /**
     * Batch-norm + swish backward, first pass, N columns from c: g = dOut·swish′(bn) in double,
     * sumG[k..] += g and sumGX[k..] += g·(x − mean)·rs (the difference in float, as the scalar loop).
     */
    static void batchNormSwishGradSums(float[] dOut, float[] bn, float[] x, int xo, float[] mean, int c, double[] rs,
                                       double[] sumG, double[] sumGX, int k) {
        DoubleVector g = widen(dOut, xo).mul(swishGrad(widen(bn, xo)));
        g.add(DoubleVector.fromArray(D, sumG, k)).intoArray(sumG, k);
        FloatVector xc = FloatVector.fromArray(F, x, xo).sub(FloatVector.fromArray(F, mean, c));
        DoubleVector xcd = (DoubleVector) xc.convertShape(VectorOperators.F2D, D, 0);
        g.mul(xcd).mul(DoubleVector.fromArray(D, rs, k)).add(DoubleVector.fromArray(D, sumGX, k)).intoArray(sumGX, k);
    }

    /** Second pass: dx = w·rs·(g − ΣG/n − x̂·ΣGX/n) with x̂ = (x − mean)·rs, N columns from c. */
    static void batchNormSwishDx(float[] dOut, float[] bn, float[] x, int xo, float[] mean, float[] w, int c,
                                 double[] rs, double[] sumG, double[] sumGX, int k, int n, float[] dx) {
        DoubleVector g = widen(dOut, xo).mul(swishGrad(widen(bn, xo)));
        DoubleVector r = DoubleVector.fromArray(D, rs, k);
        FloatVector xc = FloatVector.fromArray(F, x, xo).sub(FloatVector.fromArray(F, mean, c));
        DoubleVector xh = ((DoubleVector) xc.convertShape(VectorOperators.F2D, D, 0)).mul(r);
        DoubleVector inner = g.sub(DoubleVector.fromArray(D, sumG, k).div(n))
                .sub(xh.mul(DoubleVector.fromArray(D, sumGX, k)).div(n));
        DoubleVector out = widen(w, c).mul(r).mul(inner);
        ((FloatVector) out.convertShape(VectorOperators.D2F, F, 0)).intoArray(dx, xo);
    }

    /** pre[r, :] += bias, out = dropout(act(pre)) for rows [r0, r1) of [rows, cols] (act: swish or ReLU). */
    static void biasActivationDropout(float[] x, float[] b, float[] o, int cols, int r0, int r1, boolean relu,
                                      float p, float keep, long seed) {
        for (int r = r0; r < r1; r++) {
            int base = r * cols, c = 0;
            for (; c + N <= cols; c += N) {
                int i = base + c;
                FloatVector xv = FloatVector.fromArray(F, x, i).add(FloatVector.fromArray(F, b, c));
                xv.intoArray(x, i);
                FloatVector a = relu ? xv.max(0f) : xv.mul(sigmoid(xv));
                if (p > 0f) a = a.mul(keep).blend(0f, dropped(seed, p, i));
                a.intoArray(o, i);
            }
            for (; c < cols; c++) {
                int i = base + c;
                x[i] += b[c];
                float a = relu ? Math.max(0f, x[i]) : CpuActivations.swish(x[i]);
                o[i] = CpuActivations.dropout(a, p, keep, seed, i);
            }
        }
    }

    /** d = float(float(dropout(g)) · swish′(x)) with swish′ in double, for elements [from, to). */
    static void swishDropoutBackward(float[] g, float[] x, float[] d, int from, int to, float p, float keep, long seed) {
        int i = from;
        for (; i + N <= to; i += N) {
            FloatVector gv = FloatVector.fromArray(F, g, i);
            if (p > 0f) gv = gv.mul(keep).blend(0f, dropped(seed, p, i));
            DoubleVector xd = (DoubleVector) FloatVector.fromArray(F, x, i).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector s = DoubleVector.broadcast(D, 1.0).div(xd.neg().lanewise(VectorOperators.EXP).add(1.0));
            DoubleVector grad = s.mul(xd.mul(s.neg().add(1.0)).add(1.0));
            DoubleVector gd = (DoubleVector) gv.convertShape(VectorOperators.F2D, D, 0);
            ((FloatVector) gd.mul(grad).convertShape(VectorOperators.D2F, F, 0)).intoArray(d, i);
        }
        for (; i < to; i++) {
            float gi = CpuActivations.dropout(g[i], p, keep, seed, i);
            d[i] = (float) (gi * CpuActivations.swishGrad(x[i]));
        }
    }

    /** d = dropout(g) where x &gt; 0, else 0, for elements [from, to). */
    static void reluDropoutBackward(float[] g, float[] x, float[] d, int from, int to, float p, float keep, long seed) {
        int i = from;
        for (; i + N <= to; i += N) {
            FloatVector gv = FloatVector.fromArray(F, g, i);
            if (p > 0f) gv = gv.mul(keep).blend(0f, dropped(seed, p, i));
            // not (x > 0), so a NaN pre-activation gives 0 as in the scalar loop
            gv.blend(0f, FloatVector.fromArray(F, x, i).compare(VectorOperators.GT, 0f).not()).intoArray(d, i);
        }
        for (; i < to; i++) d[i] = x[i] > 0f ? CpuActivations.dropout(g[i], p, keep, seed, i) : 0f;
    }

    /** out = dropout(x) for elements [from, to); p &gt; 0. */
    static void dropout(float[] x, float[] o, int from, int to, float p, float keep, long seed) {
        int i = from;
        for (; i + N <= to; i += N) {
            FloatVector.fromArray(F, x, i).mul(keep).blend(0f, dropped(seed, p, i)).intoArray(o, i);
        }
        for (; i < to; i++) o[i] = CpuActivations.dropout(x[i], p, keep, seed, i);
    }
}
