package dev.vavl4j.backend.cuda;

import static dev.vavl4j.backend.cuda.CudaBackend.t;

import dev.vavl4j.backend.BatchStats;
import dev.vavl4j.backend.LayerNormStats;
import dev.vavl4j.backend.NormAffine;
import dev.vavl4j.backend.NormAffineGrads;
import dev.vavl4j.backend.OpChecks;
import dev.vavl4j.backend.ShapeException;
import dev.vavl4j.backend.Workspace;

/**
 * LayerNorm and masked BatchNorm kernels (cuda/norm.cu). LayerNorm runs one warp per row; the column
 * sums (LayerNorm dWeight/dBias, batch statistics, BatchNorm backward sums) are deterministic two-stage
 * reductions: per-part double partials in a scratch buffer, then a kernel summing the parts in order.
 *
 * <p>Twin of {@code CpuNormOps}: a layer-norm row is summed here in float warp sums, there in double; column
 * sums are double on both, in a different grouping; parity tolerance 1e-4 relative for outputs and statistics,
 * 1e-3 for gradients, see docs/gpu.md, "Where the twins may differ".
 */
final class CudaNormOps {
    /** Threads of the row kernels (4 warps = 4 rows per block). */
    private static final int ROW_THREADS = 128;
    /** Columns of a column-partial block: VAVL_NORM_COLS (32) of cuda/norm.cu. */
    static final int PARTIAL_COLS = KernelSignatures.define("VAVL_NORM_COLS");
    /** Threads of the column-partial kernels: VAVL_NORM_COLS × VAVL_NORM_GROUPS (32 × 8). */
    static final int PARTIAL_THREADS = PARTIAL_COLS * KernelSignatures.define("VAVL_NORM_GROUPS");
    /** Threads of elementwise and per-column kernels. */
    private static final int THREADS = 256;
    /** Rows one partial block sums at least; parts are capped so the finish loop stays short. */
    private static final int MIN_ROWS_PER_PART = 64;
    private static final int MAX_PARTS = 256;

    private final CudaBackend be;
    private final CudaDevice dev;

    CudaNormOps(CudaBackend be, CudaDevice dev) {
        this.be = be;
        this.dev = dev;
    }

    void layerNorm(CudaTensor x, NormAffine affine, float eps, CudaTensor y, LayerNormStats stats) {
        CudaTensor weight = t(affine.weight()), bias = t(affine.bias());
        CudaTensor mean = t(stats.mean()), rstd = t(stats.rstd());
        int rows = x.rows(), cols = x.cols();
        OpChecks.layerNorm(x, affine, y, stats);
        if (rows == 0) return;
        dev.launch("vavl_layer_norm", rowBlocks(rows), 1, 1, ROW_THREADS, 0,
                x, weight, bias, eps, y, mean, rstd, rows, cols);
    }

    void residualLayerNorm(CudaTensor x, CudaTensor branch, float scale, NormAffine affine, float eps, CudaTensor sum,
                           CudaTensor y, LayerNormStats stats) {
        CudaTensor weight = t(affine.weight()), bias = t(affine.bias());
        CudaTensor mean = t(stats.mean()), rstd = t(stats.rstd());
        int rows = x.rows(), cols = x.cols();
        OpChecks.layerNorm(x, affine, y, stats);
        CudaBackend.sameSize(x, branch);
        CudaBackend.sameSize(x, sum);
        if (rows == 0) return;
        dev.launch("vavl_residual_layer_norm", rowBlocks(rows), 1, 1, ROW_THREADS, 0,
                x, branch, scale, weight, bias, eps, sum, y, mean, rstd, rows, cols);
    }

    void layerNormBackward(CudaTensor dy, CudaTensor x, CudaTensor weight, LayerNormStats stats, CudaTensor dx,
                           NormAffineGrads grads) {
        CudaTensor mean = t(stats.mean()), rstd = t(stats.rstd());
        CudaTensor dWeight = t(grads.dWeight()), dBias = t(grads.dBias());
        int rows = x.rows(), cols = x.cols();
        OpChecks.layerNormBackward(dy, x, weight, stats, dx, grads);
        if (rows == 0 || cols == 0) return;
        dev.launch("vavl_layer_norm_backward_dx", rowBlocks(rows), 1, 1, ROW_THREADS, 0,
                dy, x, weight, mean, rstd, dx, rows, cols);
        int rowsPerPart = rowsPerPart(rows);
        int parts = ceilDiv(rows, rowsPerPart);
        try (Workspace ws = be.openWorkspace()) {
            CudaTensor partial = be.scratch(parts * cols * 4);  // [parts][cols][2] doubles
            dev.launch("vavl_layer_norm_backward_partial", ceilDiv(cols, PARTIAL_COLS), parts, 1, PARTIAL_THREADS, 0,
                    dy, x, mean, rstd, partial, rows, cols, rowsPerPart);
            dev.launch("vavl_norm_colsum_finish", ceilDiv(cols, THREADS), 1, 1, THREADS, 0,
                    partial, parts, cols, DevicePointer.NULL, dWeight, dBias);
        }
    }

    void maskedBatchStats(CudaTensor x, CudaMask mask, CudaTensor mean, CudaTensor var) {
        int cols = x.cols();
        int rows = checkMasked(x, mask);
        CudaBackend.checkCols(x, mean);
        CudaBackend.checkCols(x, var);
        if (cols == 0) return;
        int n = validFrames(mask);
        int rowsPerPart = rowsPerPart(rows);
        int parts = ceilDiv(rows, rowsPerPart);
        try (Workspace ws = be.openWorkspace()) {
            CudaTensor partial = be.scratch(parts * cols * 4);
            dev.launch("vavl_batch_stats_partial", ceilDiv(cols, PARTIAL_COLS), parts, 1, PARTIAL_THREADS, 0,
                    x, mask, partial, rows, mask.time(), cols, rowsPerPart);
            dev.launch("vavl_batch_stats_finish", ceilDiv(cols, THREADS), 1, 1, THREADS, 0,
                    partial, parts, x, cols, n, mean, var);
        }
    }

    void updateRunningStats(CudaTensor runningMean, CudaTensor runningVar, CudaTensor mean, CudaTensor var, float momentum, int n) {
        int cols = runningMean.size();
        CudaBackend.sameSize(runningMean, runningVar);
        CudaBackend.sameSize(runningMean, mean);
        CudaBackend.sameSize(runningMean, var);
        if (cols == 0) return;
        dev.launch("vavl_update_running_stats", ceilDiv(cols, THREADS), 1, 1, THREADS, 0,
                runningMean, runningVar, mean, var, momentum, n, cols);
    }

    void batchNormSwish(CudaTensor x, BatchStats stats, NormAffine affine, float eps, CudaTensor bn, CudaTensor out) {
        CudaTensor mean = t(stats.mean()), var = t(stats.var());
        CudaTensor weight = t(affine.weight()), bias = t(affine.bias());
        int rows = x.rows(), cols = x.cols();
        CudaBackend.checkCols(x, mean);
        CudaBackend.checkCols(x, var);
        CudaBackend.checkCols(x, bias);
        CudaBackend.sameSize(x, bn);
        CudaBackend.sameSize(x, out);
        long total = (long) rows * cols;
        if (total == 0) return;
        dev.launch("vavl_batch_norm_swish", elementBlocks(total), 1, 1, THREADS, 0,
                x, mean, var, weight, bias, eps, bn, out, rows, cols);
    }

    void batchNormSwishBackward(CudaTensor dOut, CudaTensor x, CudaTensor bn, BatchStats stats, CudaTensor weight,
                                float eps, CudaMask mask, CudaTensor dx, NormAffineGrads grads) {
        CudaTensor mean = t(stats.mean()), var = t(stats.var());
        CudaTensor dWeight = t(grads.dWeight()), dBias = t(grads.dBias());
        int cols = x.cols();
        int rows = checkMasked(x, mask);
        CudaBackend.sameSize(x, dOut);
        CudaBackend.sameSize(x, bn);
        CudaBackend.sameSize(x, dx);
        CudaBackend.checkCols(x, mean);
        CudaBackend.checkCols(x, var);
        CudaBackend.checkCols(x, dWeight);
        CudaBackend.checkCols(x, dBias);
        if (cols == 0) return;
        int n = validFrames(mask);
        int rowsPerPart = rowsPerPart(rows);
        int parts = ceilDiv(rows, rowsPerPart);
        int T = mask.time();
        try (Workspace ws = be.openWorkspace()) {
            CudaTensor partial = be.scratch(parts * cols * 4);
            CudaTensor totals = be.scratch(cols * 4);  // [cols][2] doubles: ΣG, ΣGX
            dev.launch("vavl_batch_norm_swish_backward_partial", ceilDiv(cols, PARTIAL_COLS), parts, 1,
                    PARTIAL_THREADS, 0, dOut, x, bn, mean, var, eps, mask, partial, rows, T, cols, rowsPerPart);
            dev.launch("vavl_norm_colsum_finish", ceilDiv(cols, THREADS), 1, 1, THREADS, 0,
                    partial, parts, cols, totals, dBias, dWeight);
            dev.launch("vavl_batch_norm_swish_backward_dx", elementBlocks((long) rows * cols), 1, 1, THREADS, 0,
                    dOut, x, bn, mean, var, weight, eps, mask, totals, dx, rows, T, cols, n);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Checks x is [B·T, C] for the mask and returns B·T. */
    private static int checkMasked(CudaTensor x, CudaMask mask) {
        int rows = mask.batch() * mask.time();
        if (x.rows() != rows) throw new ShapeException(x + " does not match a mask of " + mask.batch() + "x" + mask.time());
        if (rows == 0) throw new ShapeException("empty mask");
        return rows;
    }

    private static int validFrames(CudaMask mask) {
        int n = 0;
        for (int b = 0; b < mask.batch(); b++) n += mask.length(b);
        return n;
    }

    private static int rowsPerPart(int rows) {
        return Math.max(MIN_ROWS_PER_PART, ceilDiv(rows, MAX_PARTS));
    }

    private static int rowBlocks(int rows) {
        return ceilDiv(rows, ROW_THREADS / 32);
    }

    private static int elementBlocks(long total) {
        long blocks = (total + THREADS - 1) / THREADS;
        if (blocks > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor too large: " + total);
        return (int) blocks;
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
