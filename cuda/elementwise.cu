#include "common.cuh"

// Elementwise ops, activations, dropout, padding and concat. Every kernel is a 1-D grid-stride loop over
// its n < 2^31 elements with a 32-bit unsigned index (cheap division); the launch code caps the grid at
// 8192 blocks of 256 threads, so i + stride never wraps.
// Masked ops see [B, T, ·] tensors: frame row r = b*T + t is valid iff t < lengths[b].

#define VAVL_EW_LOOP(i, n) \
    for (unsigned i = blockIdx.x * blockDim.x + threadIdx.x; i < (unsigned)(n); i += gridDim.x * blockDim.x)

// Frame row r of a [B, T, ·] tensor is valid.
__device__ __forceinline__ bool vavl_ew_valid(const int* lengths, unsigned r, int T) {
    return (int)(r % (unsigned)T) < lengths[r / (unsigned)T];
}

// x[i] = value.
VAVL_KERNEL void vavl_fill(float* x, float value, int n) {
    VAVL_EW_LOOP(i, n) x[i] = value;
}

// y[r, c] += bias[c] over a [rows, cols] matrix of n = rows*cols entries.
VAVL_KERNEL void vavl_add_bias(float* y, const float* bias, int n, int cols) {
    VAVL_EW_LOOP(i, n) y[i] = y[i] + bias[i % (unsigned)cols];
}

// Column sums db[c] += Σ_r dy[r, c], deterministic without atomics: one block of 32 columns × 32 row
// groups per column tile; each thread sums its rows (r ≡ group mod 32) in double, then the 32 groups are
// added in a fixed order. Grid ceil(cols/32), block 1024.
#define VAVL_BG_COLS 32
#define VAVL_BG_GROUPS 32
VAVL_KERNEL void vavl_bias_grad(const float* dy, float* db, int rows, int cols) {
    __shared__ double part[VAVL_BG_GROUPS][VAVL_BG_COLS];
    int lane = threadIdx.x % VAVL_BG_COLS, grp = threadIdx.x / VAVL_BG_COLS;
    int c = blockIdx.x * VAVL_BG_COLS + lane;
    double s = 0.0;
    if (c < cols) {
        for (int r = grp; r < rows; r += VAVL_BG_GROUPS) s += (double)dy[(long long)r * cols + c];
    }
    part[grp][lane] = s;
    __syncthreads();
    if (grp == 0 && c < cols) {
        double t = 0.0;
        for (int g = 0; g < VAVL_BG_GROUPS; g++) t += part[g][lane];
        db[c] += (float)t;
    }
}

// y ← y + alpha·x (fused multiply-add, as the CPU's axpy).
VAVL_KERNEL void vavl_axpy(float alpha, const float* x, float* y, int n) {
    VAVL_EW_LOOP(i, n) y[i] = fmaf(alpha, x[i], y[i]);
}

// out ← alpha·x (out may alias x).
VAVL_KERNEL void vavl_scale_into(const float* x, float alpha, float* out, int n) {
    VAVL_EW_LOOP(i, n) out[i] = alpha * x[i];
}

// Hidden activation + dropout of a feed-forward module (swish) or an MLP head (ReLU), forward and backward
// in one pass each. The mask is vavl_dropout's: element index i = flat index, keep = 1/(1-p) rounded to float
// on the host, and p = 0 (eval mode) hashes nothing (vavl_dropout_one). pre [rows, cols], n = rows*cols.

// pre[r, c] += bias[c] in place (backward needs the biased pre-activation); out = drop(swish(pre)).
VAVL_KERNEL void vavl_bias_swish_dropout(float* pre, const float* bias, float p, float keep, u64 seed,
                                         float* out, int n, int cols) {
    VAVL_EW_LOOP(i, n) {
        float x = pre[i] + bias[i % (unsigned)cols];
        pre[i] = x;
        out[i] = vavl_dropout_one(x * sigmoidf(x), p, keep, seed, (u64)i);
    }
}

// dPre ← drop(dOut)·swish'(pre), swish'(x) = σ(x)·(1 + x·(1 − σ(x))) (overwritten; may alias dOut).
VAVL_KERNEL void vavl_swish_dropout_backward(const float* dOut, const float* pre, float p, float keep,
                                             u64 seed, float* dPre, int n) {
    VAVL_EW_LOOP(i, n) {
        float x = pre[i], s = sigmoidf(x);
        dPre[i] = vavl_dropout_one(dOut[i], p, keep, seed, (u64)i) * (s * (1.f + x * (1.f - s)));
    }
}

// pre[r, c] += bias[c] in place; out = drop(relu(pre)), relu as Java's Math.max(0f, x): NaN stays NaN,
// −0 becomes +0.
VAVL_KERNEL void vavl_bias_relu_dropout(float* pre, const float* bias, float p, float keep, u64 seed,
                                        float* out, int n, int cols) {
    VAVL_EW_LOOP(i, n) {
        float x = pre[i] + bias[i % (unsigned)cols];
        pre[i] = x;
        out[i] = vavl_dropout_one((x > 0.f || x != x) ? x : 0.f, p, keep, seed, (u64)i);
    }
}

// dPre ← drop(dOut) where pre > 0 (exactly where relu(pre) > 0), else 0 (overwritten; may alias dOut).
VAVL_KERNEL void vavl_relu_dropout_backward(const float* dOut, const float* pre, float p, float keep,
                                            u64 seed, float* dPre, int n) {
    VAVL_EW_LOOP(i, n) dPre[i] = pre[i] > 0.f ? vavl_dropout_one(dOut[i], p, keep, seed, (u64)i) : 0.f;
}

// GLU over channels: z[r, c] = g[r, c]·σ(g[r, C + c]) at valid frames, 0 at padded ones (not read there).
// g [B*T, 2C], z [B*T, C]; n = B*T*C.
VAVL_KERNEL void vavl_glu_masked(const float* g, const int* lengths, float* z, int n, int T, int C) {
    VAVL_EW_LOOP(i, n) {
        unsigned r = i / (unsigned)C, c = i % (unsigned)C;
        if (vavl_ew_valid(lengths, r, T)) {
            unsigned ga = r * 2u * (unsigned)C + c;
            z[i] = g[ga] * sigmoidf(g[ga + C]);
        } else {
            z[i] = 0.f;
        }
    }
}

// Backward of vavl_glu_masked: dg[r, c] = dz·σ(b), dg[r, C + c] = dz·a·σ(b)·(1 − σ(b)) at valid frames,
// both 0 at padded frames (overwritten). One thread per (r, c) writes both halves.
VAVL_KERNEL void vavl_glu_masked_backward(const float* dz, const float* g, const int* lengths, float* dg, int n,
                                          int T, int C) {
    VAVL_EW_LOOP(i, n) {
        unsigned r = i / (unsigned)C, c = i % (unsigned)C;
        unsigned ga = r * 2u * (unsigned)C + c, gb = ga + C;
        if (vavl_ew_valid(lengths, r, T)) {
            float s = sigmoidf(g[gb]);
            float d = dz[i];
            dg[ga] = d * s;
            dg[gb] = d * g[ga] * s * (1.f - s);
        } else {
            dg[ga] = 0.f;
            dg[gb] = 0.f;
        }
    }
}

// Dropout with the counter-based mask of DropoutHash, element index i = flat index of the tensor (as the
// CPU): out[i] = 0 if uniform(seed, i) < p, else x[i]·keep with keep = 1/(1−p) rounded to float on the
// host (the CPU multiplies by the same float). In place allowed. Only launched for p > 0.
VAVL_KERNEL void vavl_dropout(const float* x, float p, float keep, u64 seed, float* out, int n) {
    VAVL_EW_LOOP(i, n) out[i] = vavl_uniform(seed, (u64)i) < p ? 0.f : x[i] * keep;
}

// x[b, t, :] ← 0 at padded frames, by select (never arithmetic, so NaN/inf there vanish); valid frames are
// not touched. n = B*T*C.
VAVL_KERNEL void vavl_zero_padded(float* x, const int* lengths, int n, int T, int C) {
    VAVL_EW_LOOP(i, n) {
        if (!vavl_ew_valid(lengths, i / (unsigned)C, T)) x[i] = 0.f;
    }
}

// out[r, :] = [a[r, :] | b[r, :]]; a [rows, ca], b [rows, cb], out [rows, ca + cb]; n = rows*(ca + cb).
VAVL_KERNEL void vavl_concat_columns(const float* a, const float* b, float* out, int n, int ca, int cb) {
    int co = ca + cb;
    VAVL_EW_LOOP(i, n) {
        unsigned r = i / (unsigned)co, c = i % (unsigned)co;
        out[i] = c < (unsigned)ca ? a[r * (unsigned)ca + c] : b[r * (unsigned)cb + (c - (unsigned)ca)];
    }
}
