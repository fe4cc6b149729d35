package dev.vavl4j.backend;

import java.util.List;

/**
 * The ops VAVL layers are written against. Every op is one concern that a GPU backend can run as a
 * single fused kernel; the CPU backend is the readable reference of what each one computes.
 *
 * <p>Conventions: activations are row-major {@code [rows, cols]} (see {@link Tensor}); a parameter
 * gradient argument is always <b>accumulated into</b> ({@code +=}), so callers zero gradients once per
 * step; an argument named {@code dx} is accumulated into where documented, because residual streams
 * receive gradient from several branches. Masks select valid frames of {@code [B, T, ·]} tensors.
 *
 * <p>An op with many tensors takes them grouped by role in records, one type per role, so that a swapped
 * group does not compile: {@link AttentionInputs}, {@link AttentionSaved} and {@link AttentionGrads} for
 * attention; {@link NormAffine}, {@link NormAffineGrads}, {@link LayerNormStats} and {@link BatchStats} for the
 * normalisations.
 *
 * <p>The CPU backend is the reference; what the CUDA backend may compute differently for each op, and the
 * tolerance its parity test allows, is the table "Where the twins may differ" of docs/gpu.md.
 */
public interface Backend extends AutoCloseable {
    String name();

    // ------------------------------------------------------------------ memory

    /**
     * Opens a workspace on the calling thread. Every tensor created on this thread while it is the
     * innermost open workspace belongs to it, and is released when it closes: its storage returns to
     * the backend's pool (reused by the next step on a GPU) and any later use of it throws. A training
     * step or an inference batch runs inside one, so steady-state steps allocate nothing new.
     * Tensors created with no workspace open live until the backend closes.
     */
    Workspace openWorkspace();

    /** A new zero-filled tensor (owned by the innermost open workspace, if any). */
    Tensor zeros(int... shape);

    /**
     * A new tensor whose contents are undefined, for an output that the next op writes in full (a product
     * with beta 0, an elementwise result). Saves the fill pass of {@link #zeros}; a backend may return
     * zeros. Both backends fill it with NaN under {@code -Dvavl.poisonEmpty=true} (the tests run so), so
     * an op that leaves part of its output unwritten fails loudly.
     */
    default Tensor empty(int... shape) {
        return zeros(shape);
    }

    /**
     * A new zero-filled tensor that belongs to no workspace, even when one is open: it lives until the
     * backend closes. For state that outlives a step, such as gradients and optimiser moments created
     * lazily on the first step.
     */
    Tensor zerosPersistent(int... shape);

    Tensor fromHost(float[] data, int... shape);

    /** dst ← data (a host-to-device copy on a GPU); sizes must match. */
    void copyFromHost(float[] data, Tensor dst);

    float[] toHost(Tensor t);

    /** dst ← src (same size). */
    void copy(Tensor src, Tensor dst);

    void fill(Tensor t, float value);

    SeqMask mask(int[] lengths, int time);

    // ------------------------------------------------------------------ dense algebra

    /**
     * {@code C ← alpha·op(A)·op(B) + beta·C} on the 2-D views, op = transpose when the flag is set.
     * The model uses A·Bᵀ (forward), Aᵀ·B (weight gradients) and A·B (input gradients).
     */
    void gemm(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, float alpha, float beta);

    /**
     * {@link #gemm} over the rows of valid frames only: A (not transposed) and C hold one row per frame,
     * row b·T + t for frame t of sample b, and {@code C[r] ← A[r]·op(B) + beta·C[r]} (plus {@code bias} when
     * given, beta 0 only) for the rows with t &lt; length(b). Rows of padded frames are set to 0 when beta = 0.
     * When beta = 1 (no other beta) they are left as they are, or, by a backend that computes every row,
     * accumulate A's padded rows times op(B): the same thing when those rows of A are 0, as they are in
     * every input gradient of the model. The bias rides along so a backend can write it into C just before
     * the product accumulates there, instead of a separate pass over C after it. What a position-wise layer computes on padding is never read (attention, the conv,
     * batch statistics and pooling all mask it, and its gradient is zero), so a backend may skip it: the
     * CPU backend does, about 14% of the products of a paper-size batch. The default computes every row.
     */
    default void gemmValidRows(Tensor a, Tensor b, boolean transB, Tensor bias, Tensor c, float beta, SeqMask mask) {
        OpChecks.gemmDims(a, false, b, transB, c);
        if (bias != null && beta != 0f) throw new ShapeException("gemmValidRows: a bias needs beta 0, got " + beta);
        if (beta == 0f) {
            gemm(a, false, b, transB, c, 1f, 0f);
            if (bias != null) addBias(c, bias);
            zeroPadded(c, mask);
        } else if (beta == 1f) {
            gemm(a, false, b, transB, c, 1f, 1f);
        } else {
            throw new ShapeException("gemmValidRows: beta must be 0 or 1, got " + beta);
        }
    }

    /** y[r, c] += bias[c]. */
    void addBias(Tensor y, Tensor bias);

    /** db[c] += Σ_r dy[r, c]. */
    void accumulateBiasGrad(Tensor dy, Tensor db);

    /** y ← y + alpha·x. */
    void axpy(float alpha, Tensor x, Tensor y);

    /** out ← alpha·x; {@code out} may be {@code x} (the trainer scales clipped gradients in place). */
    void scaleInto(Tensor x, float alpha, Tensor out);

    /**
     * Σ_i t[i]² over every element, returned to the host (one round trip on a GPU), e.g. the squared norm of
     * the gradients for clipping. The CPU backend accumulates in double; the CUDA backend squares each
     * element in double and sums in double, block partial sums then one ordered final sum, so it agrees
     * with the CPU to about 1e-12 relative. An empty tensor gives 0; a NaN or infinite element gives NaN or
     * infinity.
     */
    double sumOfSquares(Tensor t);

    // ------------------------------------------------------------------ normalisation

    /** Row-wise LayerNorm with biased variance; saves per-row mean and 1/std ({@code stats}) for backward. */
    void layerNorm(Tensor x, NormAffine affine, float eps, Tensor y, LayerNormStats stats);

    /**
     * The residual add and LayerNorm that close a Conformer block, as one op: sum ← x + scale·branch
     * (saved: LayerNorm backward needs it), then {@link #layerNorm} of sum. Its backward is
     * {@link #layerNormBackward} on sum, whose dx accumulates into the residual stream's gradient.
     */
    default void residualLayerNorm(Tensor x, Tensor branch, float scale, NormAffine affine, float eps,
                                   Tensor sum, Tensor y, LayerNormStats stats) {
        copy(x, sum);
        axpy(scale, branch, sum);
        layerNorm(sum, affine, eps, y, stats);
    }

    /**
     * dx += ∂L/∂x given the forward's x, weight and stats; grads (dWeight, dBias) accumulated.
     */
    void layerNormBackward(Tensor dy, Tensor x, Tensor weight, LayerNormStats stats, Tensor dx,
                           NormAffineGrads grads);

    /**
     * Masked batch statistics per channel of {@code x [B, T, C]}: mean and biased variance over valid
     * frames only.
     */
    void maskedBatchStats(Tensor x, SeqMask mask, Tensor mean, Tensor var);

    /** running ← (1−m)·running + m·batch, with the variance made unbiased by n/(n−1). */
    void updateRunningStats(Tensor runningMean, Tensor runningVar, Tensor mean, Tensor var,
                            float momentum, int n);

    /** bn = (x − mean)/sqrt(var + eps)·w + b (saved for backward); out = swish(bn). */
    void batchNormSwish(Tensor x, BatchStats stats, NormAffine affine, float eps, Tensor bn, Tensor out);

    /**
     * Backward of {@link #batchNormSwish} in train mode (batch statistics over valid frames):
     * dx ← ∂L/∂x (zero at padded frames, overwritten), grads (dWeight, dBias) accumulated over valid frames.
     */
    void batchNormSwishBackward(Tensor dOut, Tensor x, Tensor bn, BatchStats stats, Tensor weight, float eps,
                                SeqMask mask, Tensor dx, NormAffineGrads grads);

    // ------------------------------------------------------------------ activations

    // The hidden activation of a feed-forward module (swish) or an MLP head (ReLU) and the dropout after
    // it run as one op on the output of the bias-free matrix product before them, and their backward as
    // one op: one pass each way instead of three. Dropout is exactly that of dropout(act, p, seed), whose
    // mask backward regenerates from the seed; p = 0 (eval mode) applies no mask. The bias gradient is
    // accumulateBiasGrad of dPre.

    /**
     * pre += bias (in place: the biased pre-activation is what backward needs); out = dropout(swish(pre),
     * p, seed). out must not alias pre.
     */
    void biasSwishDropout(Tensor pre, Tensor bias, float p, long seed, Tensor out);

    /** dPre ← swish'(pre)·dropoutBackward(dOut, p, seed), the forward's p and seed (overwritten). */
    void swishDropoutBackward(Tensor dOut, Tensor pre, float p, long seed, Tensor dPre);

    /** pre += bias (in place, kept for backward); out = dropout(relu(pre), p, seed). out must not alias pre. */
    void biasReluDropout(Tensor pre, Tensor bias, float p, long seed, Tensor out);

    /** dPre ← dropoutBackward(dOut, p, seed) where pre &gt; 0, else 0 (overwritten). */
    void reluDropoutBackward(Tensor dOut, Tensor pre, float p, long seed, Tensor dPre);

    /** z[·, c] = g[·, c]·σ(g[·, C + c]) for valid frames, 0 at padded frames; g is {@code [B, T, 2C]}. */
    void gluMasked(Tensor g, SeqMask mask, Tensor z);

    /** dg ← ∂L/∂g (overwritten; zero at padded frames). */
    void gluMaskedBackward(Tensor dz, Tensor g, SeqMask mask, Tensor dg);

    /**
     * Dropout with a counter-based mask: element i is dropped iff hash(seed, i) &lt; p; kept elements are
     * scaled by 1/(1−p). The mask is a pure function of (seed, i), so backward regenerates it.
     * In place allowed. p = 0 copies.
     */
    void dropout(Tensor x, float p, long seed, Tensor out);

    /** dx ← dropout mask applied to dOut (same seed as forward). In place allowed. */
    default void dropoutBackward(Tensor dOut, float p, long seed, Tensor dx) {
        dropout(dOut, p, seed, dx);
    }

    // ------------------------------------------------------------------ sequence ops

    /** x[b, t, :] ← 0 for padded frames, by select (padded input may hold NaN or inf). In place. */
    void zeroPadded(Tensor x, SeqMask mask);

    /** Depthwise conv along time, "same" zero padding, no bias: c[b,t,ch] = Σ_k w[ch,k]·z[b,t+k−(K−1)/2,ch]. */
    void depthwiseConv(Tensor z, Tensor weight, Tensor out);

    /** dz ← ∂L/∂z (overwritten), dWeight accumulated. */
    void depthwiseConvBackward(Tensor dOut, Tensor z, Tensor weight, Tensor dz, Tensor dWeight);

    /**
     * Relative-position multi-head attention core ({@link AttentionInputs}: q, k, v {@code [B, T, d]}; pos:
     * projected relative sinusoids {@code [2T−1, d]}, row (i − j) + T − 1; u, vBias: {@code [H, d/H]}).
     * score = ((q_i+u)·k_j + (q_i+v)·pos(i−j)) / sqrt(d/H), keys j ≥ length masked, softmax over j,
     * dropout (saved.dropout, saved.seed) on the probabilities, ctx = Σ_j a_ij v_j. Writes the pre-dropout
     * probabilities into {@code saved.probs [B, H, T, T]}; pass the same {@code saved} to backward.
     */
    void relPosAttention(AttentionInputs in, int heads, SeqMask mask, AttentionSaved saved, Tensor ctx);

    /**
     * Backward of {@link #relPosAttention} with the forward's inputs and saved record: grads.dq, dk, dv,
     * dPos overwritten; grads.dU, dVBias accumulated.
     */
    void relPosAttentionBackward(Tensor dCtx, AttentionInputs in, int heads, SeqMask mask, AttentionSaved saved,
                                 AttentionGrads grads);

    /** out[b, :] = mean of x[b, t, :] over valid t. */
    void maskedMeanPool(Tensor x, SeqMask mask, Tensor out);

    /** dx[b, t, :] += dOut[b, :]/length(b) for valid t (padded frames untouched). */
    void maskedMeanPoolBackward(Tensor dOut, SeqMask mask, Tensor dx);

    /** out[r, :] = [a[r, :] | b[r, :]]. */
    void concatColumns(Tensor a, Tensor b, Tensor out);

    // ------------------------------------------------------------------ losses (return the loss)

    /**
     * Mean cross-entropy of softmax(logits) against the argmax of each target row (first maximum);
     * dLogits ← scale·∂loss/∂logits (overwritten). The same as {@link #crossEntropyArgmax(Tensor, Tensor,
     * Tensor, float, Tensor)} with no class weights.
     */
    default double crossEntropyArgmax(Tensor logits, Tensor targets, float scale, Tensor dLogits) {
        return crossEntropyArgmax(logits, targets, null, scale, dLogits);
    }

    /**
     * Class-weighted cross-entropy of softmax(logits) {@code [n, C]} against the first argmax y_i of each
     * target row, as PyTorch's {@code cross_entropy(weight=w, reduction='mean')}: with ℓ_i = lse_i − logits[i, y_i],
     * loss = Σ_i w[y_i]·ℓ_i / Σ_i w[y_i] and dLogits_i ← scale·w[y_i]·(softmax_i − onehot(y_i)) / Σ_i w[y_i]
     * (overwritten). {@code classWeights} is a {@code [C]} tensor (its size must be C), or null for the
     * unweighted mean over the n rows, the same bits as weights all 1. The weights are not checked for sign;
     * when the weights of the batch's targets sum to 0, the loss and the gradient are NaN (as in PyTorch).
     * n = 0 returns NaN (0/0).
     */
    double crossEntropyArgmax(Tensor logits, Tensor targets, Tensor classWeights, float scale, Tensor dLogits);

    /**
     * Σ_c (1 − CCC_c) over the rows, biased statistics; an attribute with a zero denominator counts
     * CCC = 0 with zero gradient. dPred ← scale·∂loss/∂pred (overwritten).
     */
    double cccLoss(Tensor pred, Tensor targets, float scale, Tensor dPred);

    /** mean((pred − target)²) over all entries; dPred ← scale·∂loss/∂pred (overwritten). */
    double mseLoss(Tensor pred, Tensor target, float scale, Tensor dPred);

    /**
     * The reconstruction loss of spec §4: target[b, :] = mean of input[b, t, :] over valid frames t,
     * loss = mean((recon − target)²) over all entries, dRecon ← scale·∂loss/∂recon (overwritten).
     * The target needs no gradient (the input is data). One fused pass on a GPU.
     */
    default double reconstructionMse(Tensor recon, Tensor input, SeqMask mask, float scale, Tensor dRecon) {
        Tensor target = zeros(recon.shape());
        maskedMeanPool(input, mask, target);
        return mseLoss(recon, target, scale, dRecon);
    }

    // ------------------------------------------------------------------ optimiser

    /**
     * One Adam update of every listed parameter (one launch on a GPU). {@code steps[i]} is the update
     * count t of parameter i <em>including</em> this update.
     */
    void adam(List<Tensor> params, List<Tensor> grads, List<Tensor> m, List<Tensor> v, int[] steps,
              AdamHyper hyper);

    /**
     * Runs {@code work} with this backend's threads and returns its result. The CPU backend runs it in its
     * own fork/join pool, so every op inside uses at most the backend's thread count; other backends run
     * it on the calling thread. Exceptions pass through unchanged.
     */
    default <T> T call(java.util.function.Supplier<T> work) {
        return work.get();
    }

    @Override
    default void close() {}
}
