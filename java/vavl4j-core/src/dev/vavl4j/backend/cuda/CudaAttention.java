package dev.vavl4j.backend.cuda;

import static dev.vavl4j.backend.cuda.CudaBackend.t;

import dev.vavl4j.backend.AttentionGrads;
import dev.vavl4j.backend.AttentionInputs;
import dev.vavl4j.backend.AttentionSaved;
import dev.vavl4j.backend.OpChecks;
import dev.vavl4j.backend.Workspace;

/**
 * Masked softmax attention with relative positions (cuda/attention.cu), matching
 * {@code dev.vavl4j.backend.cpu.CpuAttention}: the forward is one launch (a block per batch, head and
 * query row); the backward is four deterministic launches (score gradients and dq per query row, dk and
 * dv per key row, dPos per relative offset and head, the u / v bias gradients per column), with the
 * score gradients in a scratch {@code [B, H, T, T]} of a workspace private to the call.
 *
 * <p>Twin of {@code CpuAttention}: scores and the softmax sum in float here (warp and block sums, {@code expf}),
 * the softmax sum in double there; the dropout mask is the same; parity tolerance 1e-4 relative for probs and
 * ctx, 1e-3 for gradients, see docs/gpu.md, "Where the twins may differ".
 */
final class CudaAttention {
    /** Threads of the per-row kernels (a multiple of 32: they use block reductions). */
    static final int ROW_THREADS = 128;
    /** Columns of a bias-gradient block: VAVL_ATTN_BIAS_COLS (32) of cuda/attention.cu. */
    static final int BIAS_COLS = KernelSignatures.define("VAVL_ATTN_BIAS_COLS");
    /** Threads of the bias-gradient reduction: VAVL_ATTN_BIAS_COLS × VAVL_ATTN_BIAS_GROUPS (32 × 8), fixed by the kernel. */
    static final int BIAS_THREADS = BIAS_COLS * KernelSignatures.define("VAVL_ATTN_BIAS_GROUPS");

    private final CudaBackend be;
    private final CudaDevice dev;

    CudaAttention(CudaBackend be, CudaDevice dev) {
        this.be = be;
        this.dev = dev;
    }

    void forward(AttentionInputs in, int heads, CudaMask mask, AttentionSaved saved, CudaTensor ctx) {
        CudaTensor q = t(in.q()), k = t(in.k()), v = t(in.v()), pos = t(in.pos()), u = t(in.u()), vBias = t(in.vBias());
        CudaTensor probs = t(saved.probs());
        float dropout = saved.dropout();
        long seed = saved.seed();
        OpChecks.attention(in, heads, mask, probs, ctx);   // the CPU backend checks the same
        Dims s = Dims.of(u, heads, mask);
        if (s.B == 0 || s.T == 0) return;
        dev.launch("vavl_relpos_attn_fwd", s.T, heads, s.B, ROW_THREADS, 4 * (2 * s.dh + s.T),
                q, k, v, pos, u, vBias, mask, s.T, heads, s.d, scale(s.dh), dropout, keep(dropout), seed, probs, ctx);
    }

    void backward(CudaTensor dCtx, AttentionInputs in, int heads, CudaMask mask, AttentionSaved saved,
                  AttentionGrads grads) {
        CudaTensor q = t(in.q()), k = t(in.k()), v = t(in.v()), pos = t(in.pos()), u = t(in.u()), vBias = t(in.vBias());
        CudaTensor probs = t(saved.probs());
        float dropout = saved.dropout();
        long seed = saved.seed();
        CudaTensor dq = t(grads.dq()), dk = t(grads.dk()), dv = t(grads.dv()), dPos = t(grads.dPos());
        CudaTensor dU = t(grads.dU()), dVBias = t(grads.dVBias());
        OpChecks.attentionBackward(dCtx, in, heads, mask, probs, grads);   // the CPU backend checks the same
        Dims s = Dims.of(u, heads, mask);
        if (s.B == 0 || s.T == 0) return;
        float scale = scale(s.dh), keep = keep(dropout);
        int colThreads = Math.min(256, (s.dh + 31) / 32 * 32);
        try (Workspace ignored = be.openWorkspace()) {
            CudaTensor dS = be.scratch(s.B, heads, s.T, s.T);
            CudaTensor dqu = be.scratch(s.B, s.T, s.d), dqv = be.scratch(s.B, s.T, s.d);
            dev.launch("vavl_relpos_attn_bwd_rows", s.T, heads, s.B, ROW_THREADS, 4 * (3 * s.dh + 2 * s.T),
                    dCtx, q, k, v, pos, u, vBias, mask, s.T, heads, s.d, scale, dropout, keep, seed, probs,
                    dS, dq, dqu, dqv);
            dev.launch("vavl_relpos_attn_bwd_kv", s.T, heads, s.B, colThreads, 4 * (2 * s.T),
                    dCtx, q, u, mask, s.T, heads, s.d, dropout, keep, seed, probs, dS, dk, dv);
            dev.launch("vavl_relpos_attn_bwd_pos", 2 * s.T - 1, heads, 1, colThreads, 0,
                    q, vBias, mask, s.B, s.T, heads, s.d, dS, dPos);
            dev.launch("vavl_relpos_attn_bwd_bias", (s.d + BIAS_COLS - 1) / BIAS_COLS, 2, 1, BIAS_THREADS, 0,
                    dqu, dqv, s.B * s.T, s.d, dU, dVBias);
        }
    }

    /** 1/sqrt(dh) exactly as the CPU reference computes it. */
    private static float scale(int dh) {
        return (float) (1.0 / Math.sqrt(dh));
    }

    /** The kept-probability multiplier 1/(1−p) exactly as the CPU reference computes it. */
    private static float keep(float p) {
        return p > 0 ? 1f / (1f - p) : 1f;
    }

    /** The sizes of a checked call ({@link OpChecks#attention}): batch, time, width and head width. */
    private record Dims(int B, int T, int d, int dh) {
        static Dims of(CudaTensor u, int heads, CudaMask mask) {
            return new Dims(mask.batch(), mask.time(), u.size(), u.size() / heads);
        }
    }
}
