package dev.vavl4j.backend.cuda;

import dev.vavl4j.backend.OpChecks;
import dev.vavl4j.backend.Workspace;

/**
 * Depthwise convolution along time (cuda/conv.cu): z {@code [B, T, C]}, weight {@code [C, K]}, "same" zero
 * padding, no bias. dWeight is a deterministic two-stage reduction: per-sample double partials, then a
 * kernel summing them in sample order (as the CPU reference).
 *
 * <p>Twin of the depthwise conv of {@code CpuSequenceOps}: the float taps may sum in another order; parity
 * tolerance 1e-4 relative forward, 1e-3 backward, see docs/gpu.md, "Where the twins may differ".
 */
final class CudaConv {
    private static final int THREADS = 256;
    /** The dW partial kernel: VAVL_CONV_COLS (32) (k, channel) pairs × VAVL_CONV_GROUPS (8) time groups, from cuda/conv.cu. */
    static final int PARTIAL_COLS = KernelSignatures.define("VAVL_CONV_COLS"),
            PARTIAL_THREADS = PARTIAL_COLS * KernelSignatures.define("VAVL_CONV_GROUPS");

    private final CudaBackend be;
    private final CudaDevice dev;

    CudaConv(CudaBackend be, CudaDevice dev) {
        this.be = be;
        this.dev = dev;
    }

    void depthwiseConv(CudaTensor z, CudaTensor weight, CudaTensor out) {
        int[] s = shape(z, weight);
        CudaBackend.sameSize(z, out);
        long total = (long) s[0] * s[1] * s[2];
        if (total == 0) return;
        dev.launch("vavl_depthwise_conv", blocks(total), 1, 1, THREADS, 0, z, weight, out, s[0], s[1], s[2], s[3]);
    }

    void depthwiseConvBackward(CudaTensor dOut, CudaTensor z, CudaTensor weight, CudaTensor dz, CudaTensor dWeight) {
        int[] s = shape(z, weight);
        int B = s[0], T = s[1], C = s[2], K = s[3];
        CudaBackend.sameSize(z, dOut);
        CudaBackend.sameSize(z, dz);
        CudaBackend.sameSize(weight, dWeight);
        long total = (long) B * T * C;
        if (total == 0) return;
        dev.launch("vavl_depthwise_conv_backward_dz", blocks(total), 1, 1, THREADS, 0, dOut, weight, dz, B, T, C, K);
        int kc = K * C;
        if (kc == 0) return;
        try (Workspace ws = be.openWorkspace()) {
            CudaTensor partial = be.scratch(B * kc * 2);  // [B][K·C] doubles
            dev.launch("vavl_depthwise_conv_dw_partial", CudaNormOps.ceilDiv(kc, PARTIAL_COLS), B, 1, PARTIAL_THREADS, 0,
                    dOut, z, partial, T, C, K);
            dev.launch("vavl_depthwise_conv_dw_finish", CudaNormOps.ceilDiv(kc, THREADS), 1, 1, THREADS, 0,
                    partial, dWeight, B, C, K);
        }
    }

    /** {B, T, C, K} after checking z is [B, T, C] and weight [C, K]. */
    private static int[] shape(CudaTensor z, CudaTensor weight) {
        OpChecks.depthwiseConv(z, weight);
        if (z.dim(0) > 65_535) throw new IllegalArgumentException("batch too large for the dW grid: " + z);
        return new int[] {z.dim(0), z.dim(1), z.dim(2), weight.dim(1)};
    }

    private static int blocks(long total) {
        long b = (total + THREADS - 1) / THREADS;
        if (b > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor too large: " + total);
        return (int) b;
    }
}
