package dev.vavl4j.backend.cuda;

import dev.vavl4j.backend.OpChecks;
import dev.vavl4j.backend.ShapeException;
import dev.vavl4j.backend.Workspace;

/**
 * Loss kernels (cuda/losses.cu): each writes the scaled gradient on the device and leaves the loss as one
 * double in a small device buffer, which comes back with one download (the only host round trip).
 * Temporaries live in a workspace opened for the call, so a loss allocates nothing that outlives it.
 * Values are computed in double as the CPU reference (CpuLosses) does, with the sums in a fixed order.
 *
 * <p>Twin of {@code CpuLosses}: both in double, sums in different fixed orders; parity tolerance 1e-7·max(1,
 * |loss|) for the loss and 1e-3 relative for the gradient, see docs/gpu.md, "Where the twins may differ".
 */
final class CudaLosses {
    private static final int THREADS = 256;
    /** Partial sums of the mse kernels: at most this many blocks (the finish adds them one by one). */
    private static final int MAX_PARTS = 1024;

    private final CudaBackend be;
    private final CudaDevice dev;

    CudaLosses(CudaBackend be, CudaDevice dev) {
        this.be = be;
        this.dev = dev;
    }

    /** Blocks of {@link #THREADS} for a grid-stride loop over n &gt; 0 elements, capped at MAX_PARTS. */
    private static int blocks(long n) {
        return (int) Math.min((n + THREADS - 1) / THREADS, MAX_PARTS);
    }

    double crossEntropyArgmax(CudaTensor logits, CudaTensor targets, float scale, CudaTensor dLogits) {
        CudaBackend.sameSize(logits, targets);
        CudaBackend.sameSize(logits, dLogits);
        int n = logits.rows(), C = logits.cols();
        if (C == 0) throw new ShapeException("cross-entropy over zero classes: " + logits);
        if (n == 0) return Double.NaN;  // 0/0, as the CPU
        try (Workspace ws = be.openWorkspace()) {
            CudaTensor rowLoss = be.scratch(2 * n), loss = be.scratch(2);
            dev.launch("vavl_ce_argmax_rows", ceilDiv(n, THREADS), 1, 1, THREADS, 0,
                    logits, targets, scale, dLogits, rowLoss, n, C);
            dev.launch("vavl_loss_sum_finish", 1, 1, 1, 1, 0, rowLoss, n, n, loss);
            return readDouble(loss);
        }
    }

    /**
     * Class-weighted cross-entropy: the weight sum (one thread, row order), the rows (one thread each), then
     * the ordered sum of the weighted row losses divided by the weight sum, as CpuLosses. Null weights run
     * the unweighted kernels.
     */
    double crossEntropyArgmax(CudaTensor logits, CudaTensor targets, CudaTensor classWeights, float scale,
                              CudaTensor dLogits) {
        if (classWeights == null) return crossEntropyArgmax(logits, targets, scale, dLogits);
        CudaBackend.sameSize(logits, targets);
        CudaBackend.sameSize(logits, dLogits);
        OpChecks.checkCols(logits, classWeights);
        int n = logits.rows(), C = logits.cols();
        if (C == 0) throw new ShapeException("cross-entropy over zero classes: " + logits);
        if (n == 0) return Double.NaN;  // 0/0, as the CPU
        try (Workspace ws = be.openWorkspace()) {
            CudaTensor rowLoss = be.scratch(2 * n), wsum = be.scratch(2), loss = be.scratch(2);
            dev.launch("vavl_ce_weight_sum", 1, 1, 1, 1, 0, targets, classWeights, wsum, n, C);
            dev.launch("vavl_ce_argmax_weighted_rows", ceilDiv(n, THREADS), 1, 1, THREADS, 0,
                    logits, targets, classWeights, wsum, scale, dLogits, rowLoss, n, C);
            dev.launch("vavl_loss_sum_div", 1, 1, 1, 1, 0, rowLoss, n, wsum, loss);
            return readDouble(loss);
        }
    }

    /** Σ x² in double: block partial sums (at most MAX_PARTS), then their ordered sum; one download. */
    double sumOfSquares(CudaTensor x) {
        int count = x.size();
        if (count == 0) return 0;
        int parts = blocks(count);
        try (Workspace ws = be.openWorkspace()) {
            CudaTensor partial = be.scratch(2 * parts), sum = be.scratch(2);
            dev.launch("vavl_sum_squares_partial", parts, 1, 1, THREADS, 0, x, partial, count);
            dev.launch("vavl_loss_sum_finish", 1, 1, 1, 1, 0, partial, parts, 1, sum);
            return readDouble(sum);
        }
    }

    double ccc(CudaTensor pred, CudaTensor targets, float scale, CudaTensor dPred) {
        CudaBackend.sameSize(pred, targets);
        CudaBackend.sameSize(pred, dPred);
        int n = pred.rows(), C = pred.cols();
        if (C == 0) return 0;
        try (Workspace ws = be.openWorkspace()) {
            CudaTensor loss = be.scratch(2);
            dev.launch("vavl_ccc_loss", 1, 1, 1, THREADS, 0, pred, targets, scale, dPred, loss, n, C);
            return readDouble(loss);
        }
    }

    double mse(CudaTensor pred, CudaTensor target, float scale, CudaTensor dPred) {
        CudaBackend.sameSize(pred, dPred);
        int count = pred.size();
        if (count == 0) return Double.NaN;  // 0/0, as the CPU
        int parts = blocks(count);
        try (Workspace ws = be.openWorkspace()) {
            CudaTensor partial = be.scratch(2 * parts), loss = be.scratch(2);
            dev.launch("vavl_mse_partial", parts, 1, 1, THREADS, 0, pred, target, scale, dPred, partial, count);
            dev.launch("vavl_loss_sum_finish", 1, 1, 1, 1, 0, partial, parts, count, loss);
            return readDouble(loss);
        }
    }

    double reconstructionMse(CudaTensor recon, CudaTensor input, CudaMask mask, float scale, CudaTensor dRecon) {
        int B = mask.batch(), T = mask.time(), D = input.cols();
        if ((long) B * T != input.rows() || recon.size() != (long) B * D) {
            throw new ShapeException("reconstruction " + recon + " of input " + input + " with mask [" + B
                    + ", " + T + "]: expected input [" + B + ", " + T + ", D] and recon [" + B + ", D]");
        }
        CudaBackend.sameSize(recon, dRecon);
        int count = recon.size();
        if (count == 0) return Double.NaN;  // 0/0, as the CPU
        int parts = blocks(count);
        try (Workspace ws = be.openWorkspace()) {
            CudaTensor partial = be.scratch(2 * parts), loss = be.scratch(2);
            dev.launch("vavl_recon_mse_partial", parts, 1, 1, THREADS, 0,
                    recon, input, mask, scale, dRecon, partial, B, T, D);
            dev.launch("vavl_loss_sum_finish", 1, 1, 1, 1, 0, partial, parts, count, loss);
            return readDouble(loss);
        }
    }

    /** The double a kernel stored in {@code buffer} (two floats, little-endian): one synchronising download. */
    private double readDouble(CudaTensor buffer) {
        float[] words = new float[2];
        dev.download(buffer.address(), words);
        long lo = Float.floatToRawIntBits(words[0]) & 0xFFFFFFFFL, hi = Float.floatToRawIntBits(words[1]);
        return Double.longBitsToDouble(hi << 32 | lo);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
