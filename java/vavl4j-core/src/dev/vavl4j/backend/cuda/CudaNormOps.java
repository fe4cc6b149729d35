package dev.vavl4j.backend.cuda;

import dev.vavl4j.backend.Workspace;

/**
 * LayerNorm and masked BatchNorm kernels (cuda/norm.cu). LayerNorm runs one warp per row; the column
 * sums (LayerNorm dWeight/dBias, batch statistics, BatchNorm backward sums) are deterministic two-stage
 * reductions: per-part double partials in a scratch buffer, then a kernel summing the parts in order.
 */
final class CudaNormOps {
    /** Threads of the row kernels (4 warps = 4 rows per block). */
    private static final int ROW_THREADS = 128;
    /** Threads of the column-partial kernels: 32 columns × 8 row groups (VAVL_NORM_COLS × GROUPS). */
    private static final int PARTIAL_THREADS = 256;
    private static final int PARTIAL_COLS = 32;
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

    void layerNorm(CudaTensor x, CudaTensor weight, CudaTensor bias, float eps, CudaTensor y, CudaTensor mean, CudaTensor rstd) {
        int rows = x.rows(), cols = x.cols();
        checkLayerNorm(x, weight, bias, y, mean, rstd);
        if (rows == 0) return;
        dev.launch("vavl_layer_norm", rowBlocks(rows), 1, 1, ROW_THREADS, 0,
                x, weight, bias, eps, y, mean, rstd, rows, cols);
    }

    void residualLayerNorm(CudaTensor x, CudaTensor branch, float scale, CudaTensor weight, CudaTensor bias, float eps, CudaTensor sum, CudaTensor y, CudaTensor mean, CudaTensor rstd) {
        int rows = x.rows(), cols = x.cols();
        checkLayerNorm(x, weight, bias, y, mean, rstd);
        CudaBackend.sameSize(x, sum);
        if (rows == 0) return;
        dev.launch("vavl_residual_layer_norm", rowBlocks(rows), 1, 1, ROW_THREADS, 0,
                x, branch, scale, weight, bias, eps, sum, y, mean, rstd, rows, cols);
    }

    void layerNormBackward(CudaTensor dy, CudaTensor x, CudaTensor weight, CudaTensor mean, CudaTensor rstd, CudaTensor dx, CudaTensor dWeight, CudaTensor dBias) {
        int rows = x.rows(), cols = x.cols();
        CudaBackend.sameSize(x, dy);
        CudaBackend.sameSize(x, dx);
        CudaBackend.checkCols(x, dBias);
        CudaBackend.checkCols(x, dWeight);
        perRow(x, mean);
        perRow(x, rstd);
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
                    partial, parts, cols, 0L, dWeight, dBias);
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

    void batchNormSwish(CudaTensor x, CudaTensor mean, CudaTensor var, CudaTensor weight, CudaTensor bias, float eps, CudaTensor bn, CudaTensor out) {
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

    void batchNormSwishBackward(CudaTensor dOut, CudaTensor x, CudaTensor bn, CudaTensor mean, CudaTensor var, CudaTensor weight, float eps, CudaMask mask, CudaTensor dx, CudaTensor dWeight, CudaTensor dBias) {
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

    private static void checkLayerNorm(CudaTensor x, CudaTensor weight, CudaTensor bias, CudaTensor y, CudaTensor mean,
                                       CudaTensor rstd) {
        CudaBackend.checkCols(x, weight);
        CudaBackend.checkCols(x, bias);
        CudaBackend.sameSize(x, y);
        perRow(x, mean);
        perRow(x, rstd);
    }

    private static void perRow(CudaTensor x, CudaTensor stat) {
        if (stat.size() != x.rows()) throw new IllegalArgumentException("one value per row of " + x + " expected: " + stat);
    }

    /** Checks x is [B·T, C] for the mask and returns B·T. */
    private static int checkMasked(CudaTensor x, CudaMask mask) {
        int rows = mask.batch() * mask.time();
        if (x.rows() != rows) throw new IllegalArgumentException(x + " does not match a mask of " + mask.batch() + "x" + mask.time());
        if (rows == 0) throw new IllegalArgumentException("empty mask");
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
