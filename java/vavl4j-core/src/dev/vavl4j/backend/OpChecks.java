package dev.vavl4j.backend;

import java.util.Arrays;

/**
 * The argument checks every backend makes the same way before an op runs, so a wrong shape fails with
 * the same {@link ShapeException} and message on the CPU and on a GPU (where it would otherwise corrupt
 * memory). A failed check is a bug in vavl4j (a layer or the trainer called the op wrongly), never bad
 * user input.
 */
public final class OpChecks {
    private OpChecks() {}

    /** The GEMM dimensions {m, n, k} of C[m,n] = op(A)[m,k]·op(B)[k,n] on the 2-D views, or a shape error. */
    public static int[] gemmDims(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c) {
        int m = transA ? a.cols() : a.rows();
        int k = transA ? a.rows() : a.cols();
        int kb = transB ? b.cols() : b.rows();
        int n = transB ? b.rows() : b.cols();
        if (k != kb || c.rows() != m || c.cols() != n) {
            throw new ShapeException("gemm shapes: op(A) " + m + "x" + k + ", op(B) " + kb + "x" + n
                    + ", C " + c.rows() + "x" + c.cols());
        }
        return new int[] {m, n, k};
    }

    /** Every length within [1, time]. */
    public static void maskLengths(int[] lengths, int time) {
        for (int b = 0; b < lengths.length; b++) {
            if (lengths[b] < 1 || lengths[b] > time) {
                throw new ShapeException("length " + lengths[b] + " of sample " + b + " outside [1, " + time + "]");
            }
        }
    }

    /** The element count of a new tensor, or an error for a negative dimension or one too large for an index. */
    public static int elements(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new ShapeException("negative dimension in " + Arrays.toString(shape));
            n *= d;
        }
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("tensor too large: " + Arrays.toString(shape));
        return (int) n;
    }

    public static void sameSize(Tensor a, Tensor b) {
        if (a.size() != b.size()) throw new ShapeException("size mismatch: " + a + " vs " + b);
    }

    /** x's row width equals the length of a per-column vector; returns it. */
    public static int checkCols(Tensor x, Tensor perColumn) {
        if (x.cols() != perColumn.size()) throw new ShapeException("width mismatch: " + x + " vs " + perColumn);
        return x.cols();
    }

    /** A tensor of one value per row of x (LayerNorm's mean and rstd). */
    public static void perRow(Tensor x, Tensor stat) {
        if (stat.size() != x.rows()) throw new ShapeException("one value per row of " + x + " expected: " + stat);
    }

    /** x is [B·T, ·] for the mask's B and T. */
    public static void masked(Tensor x, SeqMask mask) {
        if ((long) mask.batch() * mask.time() != x.rows()) {
            throw new ShapeException(x + " does not have B·T = " + mask.batch() + "·" + mask.time() + " rows");
        }
    }

    /** A pooled tensor [B, C] for the mask's B. */
    public static void pooled(Tensor pooled, SeqMask mask, int C) {
        if (pooled.size() != (long) mask.batch() * C) {
            throw new ShapeException(pooled + " is not [" + mask.batch() + ", " + C + "]");
        }
    }

    /**
     * Relative-position attention forward: q, k, v and ctx [B·T, d] for the mask's B and T (d the size of u),
     * heads dividing d, pos [2T − 1, d], vBias [d], probs [B·heads·T·T], lengths in [0, T]. Both backends check
     * exactly this, so the same bad shapes fail the same way on either.
     */
    public static void attention(AttentionInputs in, int heads, SeqMask mask, Tensor probs, Tensor ctx) {
        long n = attentionInputs(in, heads, mask);
        attentionSize("probs", probs, (long) mask.batch() * heads * mask.time() * mask.time(), mask, in.u().size());
        attentionSize("ctx", ctx, n, mask, in.u().size());
    }

    /** Relative-position attention backward: {@link #attention}'s shapes, dCtx like ctx, each gradient like its input. */
    public static void attentionBackward(Tensor dCtx, AttentionInputs in, int heads, SeqMask mask, Tensor probs, AttentionGrads g) {
        long n = attentionInputs(in, heads, mask);
        int d = in.u().size();
        long T = mask.time();
        attentionSize("dCtx", dCtx, n, mask, d);
        attentionSize("probs", probs, (long) mask.batch() * heads * T * T, mask, d);
        attentionSize("dq", g.dq(), n, mask, d);
        attentionSize("dk", g.dk(), n, mask, d);
        attentionSize("dv", g.dv(), n, mask, d);
        attentionSize("dPos", g.dPos(), (2 * T - 1) * d, mask, d);
        attentionSize("dU", g.dU(), d, mask, d);
        attentionSize("dVBias", g.dVBias(), d, mask, d);
    }

    /** The inputs' shapes; returns B·T·d. */
    private static long attentionInputs(AttentionInputs in, int heads, SeqMask mask) {
        int d = in.u().size();
        if (heads <= 0 || d % heads != 0) throw new ShapeException("attention: " + heads + " heads do not divide d = " + d);
        for (int b = 0; b < mask.batch(); b++) {
            if (mask.length(b) < 0 || mask.length(b) > mask.time()) throw new ShapeException("attention: mask lengths must lie in [0, T]");
        }
        long n = (long) mask.batch() * mask.time() * d, T = mask.time();
        attentionSize("q", in.q(), n, mask, d);
        attentionSize("k", in.k(), n, mask, d);
        attentionSize("v", in.v(), n, mask, d);
        attentionSize("pos", in.pos(), (2 * T - 1) * d, mask, d);
        attentionSize("vBias", in.vBias(), d, mask, d);
        return n;
    }

    private static void attentionSize(String name, Tensor t, long expected, SeqMask mask, int d) {
        if (t.size() != expected) {
            throw new ShapeException("attention: " + name + " " + java.util.Arrays.toString(t.shape()) + " has " + t.size()
                    + " elements, expected " + expected + " (B " + mask.batch() + ", T " + mask.time() + ", d " + d + ")");
        }
    }

    /** LayerNorm forward: weight and bias one per column of x, y the size of x, mean and rstd one per row. */
    public static void layerNorm(Tensor x, NormAffine affine, Tensor y, LayerNormStats stats) {
        checkCols(x, affine.weight());
        checkCols(x, affine.bias());
        sameSize(x, y);
        perRow(x, stats.mean());
        perRow(x, stats.rstd());
    }

    /** LayerNorm backward: dy and dx the size of x, weight and its gradients one per column, mean and rstd one per row. */
    public static void layerNormBackward(Tensor dy, Tensor x, Tensor weight, LayerNormStats stats, Tensor dx,
                                         NormAffineGrads grads) {
        checkCols(x, weight);
        sameSize(x, dy);
        sameSize(x, dx);
        checkCols(x, grads.dBias());
        checkCols(x, grads.dWeight());
        perRow(x, stats.mean());
        perRow(x, stats.rstd());
    }

    /** The masked GLU: g [B·T, 2C] and z (or dz) [B·T, C] for the mask; returns C. */
    public static int glu(Tensor g, SeqMask mask, Tensor z) {
        masked(z, mask);
        int C = z.cols();
        if (g.cols() != 2 * C || g.rows() != z.rows()) {
            throw new ShapeException("GLU input " + g + " is not [·, 2·" + C + "] for output " + z);
        }
        return C;
    }

    /** Depthwise convolution: z [B, T, C] and weight [C, K]. */
    public static void depthwiseConv(Tensor z, Tensor weight) {
        if (z.rank() != 3 || weight.rank() != 2 || weight.dim(0) != z.dim(2)) {
            throw new ShapeException("depthwise conv shapes: z " + z + ", weight " + weight);
        }
    }
}
