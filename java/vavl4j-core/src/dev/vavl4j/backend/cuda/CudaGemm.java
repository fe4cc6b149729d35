package dev.vavl4j.backend.cuda;

/**
 * Matrix products on cuBLAS: row-major tensors mapped onto column-major cuBLAS calls. A row-major
 * r×c matrix is, read column-major, its c×r transpose with leading dimension c. So row-major
 * C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ: one cublasSgemm with the operands swapped, m and n
 * swapped, and the transpose flags unchanged (Bᵀ as stored already is the Bᵀ that product needs).
 * TF32 (when the device has it on) is chosen inside {@link CudaDevice#sgemm}.
 *
 * <p>Twin of {@code CpuGemm}: cuBLAS may order the float sums differently, and padded rows of {@code
 * gemmValidRows} are computed; parity tolerance 1e-4 relative (TF32 5e-3), see docs/gpu.md, "Where the twins may
 * differ".
 */
final class CudaGemm {
    private final CudaDevice dev;

    CudaGemm(CudaDevice dev) {
        this.dev = dev;
    }

    /** C[m,n] ← α·op(A)·op(B) + β·C on the tensors' 2-D [rows, cols] views; shapes already validated. */
    void gemm(CudaTensor a, boolean transA, CudaTensor b, boolean transB, CudaTensor c, int m, int n, int k, float alpha, float beta) {
        if (m == 0 || n == 0) return;
        // cuBLAS rejects a leading dimension below 1 even for an empty operand (k == 0: C ← β·C).
        int lda = Math.max(1, a.cols()), ldb = Math.max(1, b.cols()), ldc = Math.max(1, n);
        dev.sgemm(transB, transA, n, m, k, alpha, b.address(), ldb, a.address(), lda, beta, c.address(), ldc);
    }
}
