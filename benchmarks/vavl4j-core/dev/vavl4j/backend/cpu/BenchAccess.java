package dev.vavl4j.backend.cpu;

import dev.vavl4j.backend.SeqMask;
import dev.vavl4j.backend.Tensor;

/**
 * Benchmark-only door to package-private CPU kernels, so the JMH benchmarks (dev.vavl4j.bench) can measure a
 * reference path beside the one the backend runs without widening the backend's API. It lives under
 * benchmarks/ and is compiled only with the Maven {@code bench} profile.
 */
public final class BenchAccess {
    private BenchAccess() {}

    /** The pure-Java Vector API GEMM ({@code CpuGemm.javaGemm}), whether or not OpenBLAS is loaded. */
    public static void javaGemm(int m, int n, int k, float alpha, float[] a, boolean transA, float[] b, boolean transB,
                                float beta, float[] c) {
        CpuGemm.javaGemm(m, n, k, alpha, a, transA, b, transB, beta, c);
    }

    /** The reference (loop) attention forward: {@code CpuAttention.referenceForward}, whatever GEMM is loaded. */
    public static void referenceAttentionForward(Tensor q, Tensor k, Tensor v, Tensor pos, Tensor u, Tensor vBias,
                                                 int heads, SeqMask mask, float dropout, long seed, Tensor probs,
                                                 Tensor ctx) {
        CpuAttention.referenceForward(f(q), f(k), f(v), f(pos), f(u), f(vBias), heads, m(mask), dropout, seed,
                f(probs), f(ctx));
    }

    /** The reference (loop) attention backward: dq, dk, dv, dPos overwritten; dU, dVBias accumulated. */
    public static void referenceAttentionBackward(Tensor dCtx, Tensor q, Tensor k, Tensor v, Tensor pos, Tensor u,
                                                  Tensor vBias, int heads, SeqMask mask, float dropout, long seed,
                                                  Tensor probs, Tensor dq, Tensor dk, Tensor dv, Tensor dPos,
                                                  Tensor dU, Tensor dVBias) {
        CpuAttention.referenceBackward(f(dCtx), f(q), f(k), f(v), f(pos), f(u), f(vBias), heads, m(mask), dropout,
                seed, f(probs), f(dq), f(dk), f(dv), f(dPos), f(dU), f(dVBias));
    }

    private static float[] f(Tensor t) {
        if (!(t instanceof CpuTensor c)) throw new IllegalArgumentException("not a CPU tensor: " + t);
        return c.data();
    }

    private static CpuMask m(SeqMask mask) {
        if (!(mask instanceof CpuMask c)) throw new IllegalArgumentException("not a CPU mask: " + mask);
        return c;
    }
}
