package dev.vavl4j.backend.cuda;

import dev.vavl4j.backend.OpChecks;
import dev.vavl4j.backend.ShapeException;

/**
 * Elementwise, activation, dropout, padding, pooling and concat kernels (cuda/elementwise.cu,
 * cuda/pool.cu). The elementwise kernels are grid-stride loops over a 1-D grid sized by {@link #blocks};
 * masked ops take the mask's device lengths and T. Shapes the backend does not check are checked here,
 * before anything is queued.
 *
 * <p>Twin of {@code CpuActivations} / {@code CpuSequenceOps}: the sigmoid (swish, GLU) is float {@code expf}
 * here, double rounded to float there (1e-4 relative for outputs, 1e-3 for gradients); ReLU, dropout, padding
 * and concat give the same bits; see docs/gpu.md, "Where the twins may differ".
 */
final class CudaElementwise {
    /** Threads per block of the grid-stride kernels. */
    private static final int THREADS = 256;
    /** Grid cap of the grid-stride kernels (their 32-bit index relies on it: 8192·256 + 2^31 < 2^32). */
    private static final int MAX_BLOCKS = 8192;
    /** vavl_bias_grad: VAVL_BG_COLS (32) columns × VAVL_BG_GROUPS (32) row groups per block, from cuda/elementwise.cu. */
    static final int BIAS_GRAD_COLS = KernelSignatures.define("VAVL_BG_COLS"),
            BIAS_GRAD_THREADS = BIAS_GRAD_COLS * KernelSignatures.define("VAVL_BG_GROUPS");
    /** vavl_masked_mean_pool: VAVL_POOL_COLS (32) channels × VAVL_POOL_GROUPS (8) time groups per block, from cuda/pool.cu. */
    static final int POOL_COLS = KernelSignatures.define("VAVL_POOL_COLS"),
            POOL_THREADS = POOL_COLS * KernelSignatures.define("VAVL_POOL_GROUPS");

    private final CudaBackend be;
    private final CudaDevice dev;

    CudaElementwise(CudaBackend be, CudaDevice dev) {
        this.be = be;
        this.dev = dev;
    }

    /** Blocks of {@link #THREADS} for a grid-stride loop over n &gt; 0 elements. */
    private static int blocks(long n) {
        return (int) Math.min((n + THREADS - 1) / THREADS, MAX_BLOCKS);
    }

    private void launch1d(String kernel, int n, Object... args) {
        if (n == 0) return;
        dev.launch(kernel, blocks(n), 1, 1, THREADS, 0, args);
    }

    void fill(CudaTensor t, float value) {
        launch1d("vavl_fill", t.size(), t, value, t.size());
    }

    void addBias(CudaTensor y, CudaTensor bias) {
        launch1d("vavl_add_bias", y.size(), y, bias, y.size(), y.cols());
    }

    void accumulateBiasGrad(CudaTensor dy, CudaTensor db) {
        int rows = dy.rows(), cols = dy.cols();
        if (cols == 0) return;
        dev.launch("vavl_bias_grad", ceilDiv(cols, BIAS_GRAD_COLS), 1, 1, BIAS_GRAD_THREADS, 0, dy, db, rows, cols);
    }

    void axpy(float alpha, CudaTensor x, CudaTensor y) {
        launch1d("vavl_axpy", x.size(), alpha, x, y, x.size());
    }

    void scaleInto(CudaTensor x, float alpha, CudaTensor out) {
        launch1d("vavl_scale_into", x.size(), x, alpha, out, x.size());
    }

    void biasSwishDropout(CudaTensor pre, CudaTensor bias, float p, long seed, CudaTensor out) {
        CudaBackend.sameSize(pre, out);
        launch1d("vavl_bias_swish_dropout", pre.size(), pre, bias, p, keepScale(p), seed, out, pre.size(), pre.cols());
    }

    void swishDropoutBackward(CudaTensor dOut, CudaTensor pre, float p, long seed, CudaTensor dPre) {
        CudaBackend.sameSize(dOut, pre);
        CudaBackend.sameSize(dOut, dPre);
        launch1d("vavl_swish_dropout_backward", dOut.size(), dOut, pre, p, keepScale(p), seed, dPre, dOut.size());
    }

    void biasReluDropout(CudaTensor pre, CudaTensor bias, float p, long seed, CudaTensor out) {
        CudaBackend.sameSize(pre, out);
        launch1d("vavl_bias_relu_dropout", pre.size(), pre, bias, p, keepScale(p), seed, out, pre.size(), pre.cols());
    }

    void reluDropoutBackward(CudaTensor dOut, CudaTensor pre, float p, long seed, CudaTensor dPre) {
        CudaBackend.sameSize(dOut, pre);
        CudaBackend.sameSize(dOut, dPre);
        launch1d("vavl_relu_dropout_backward", dOut.size(), dOut, pre, p, keepScale(p), seed, dPre, dOut.size());
    }

    void gluMasked(CudaTensor g, CudaMask mask, CudaTensor z) {
        int C = checkGlu(g, mask, z);
        launch1d("vavl_glu_masked", z.size(), g, mask, z, z.size(), mask.time(), C);
    }

    void gluMaskedBackward(CudaTensor dz, CudaTensor g, CudaMask mask, CudaTensor dg) {
        int C = checkGlu(g, mask, dz);
        CudaBackend.sameSize(g, dg);
        launch1d("vavl_glu_masked_backward", dz.size(), dz, g, mask, dg, dz.size(), mask.time(), C);
    }

    void dropout(CudaTensor x, float p, long seed, CudaTensor out) {
        if (p <= 0f) {
            if (x.address() != out.address()) dev.copy(x.address(), out.address(), x.bytes());
            return;
        }
        launch1d("vavl_dropout", x.size(), x, p, keepScale(p), seed, out, x.size());
    }

    void zeroPadded(CudaTensor x, CudaMask mask) {
        checkMasked(x, mask);
        launch1d("vavl_zero_padded", x.size(), x, mask, x.size(), mask.time(), x.cols());
    }

    void maskedMeanPool(CudaTensor x, CudaMask mask, CudaTensor out) {
        int C = x.cols();
        checkMasked(x, mask);
        checkPooled(out, mask, C);
        if (C == 0 || mask.batch() == 0) return;
        dev.launch("vavl_masked_mean_pool", ceilDiv(C, POOL_COLS), mask.batch(), 1, POOL_THREADS, 0,
                x, mask, out, mask.time(), C);
    }

    void maskedMeanPoolBackward(CudaTensor dOut, CudaMask mask, CudaTensor dx) {
        int C = dx.cols();
        checkMasked(dx, mask);
        checkPooled(dOut, mask, C);
        launch1d("vavl_masked_mean_pool_backward", dx.size(), dOut, mask, dx, dx.size(), mask.time(), C);
    }

    void concatColumns(CudaTensor a, CudaTensor b, CudaTensor out) {
        int ca = a.cols(), cb = b.cols(), co = out.cols();
        if (ca + cb != co || a.rows() != b.rows() || a.rows() != out.rows()) {
            throw new ShapeException("concat " + a + " | " + b + " -> " + out);
        }
        launch1d("vavl_concat_columns", out.size(), a, b, out, out.size(), ca, cb);
    }

    // ------------------------------------------------------------------ shape checks

    /** x is [B·T, ·] for the mask's B and T. */
    private static void checkMasked(CudaTensor x, CudaMask mask) {
        OpChecks.masked(x, mask);
    }

    /** A pooled tensor [B, C]. */
    private static void checkPooled(CudaTensor pooled, CudaMask mask, int C) {
        OpChecks.pooled(pooled, mask, C);
    }

    /** g [B·T, 2C] and z (or dz) [B·T, C]; returns C. */
    private static int checkGlu(CudaTensor g, CudaMask mask, CudaTensor z) {
        return OpChecks.glu(g, mask, z);
    }

    /** The factor kept elements are multiplied by: 1/(1 − p) rounded to float once, the same float as the CPU's. */
    private static float keepScale(float p) {
        return 1f / (1f - p);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
