#include "common.cuh"

// Masked mean pooling over time of [B, T, C] tensors (frame (b, t) valid iff t < lengths[b]) and its
// backward.

#define VAVL_POOL_COLS 32
#define VAVL_POOL_GROUPS 8  // blockDim.x == VAVL_POOL_COLS * VAVL_POOL_GROUPS

// out[b, c] = (Σ_{t < L_b} x[b, t, c]) / L_b, summed in double, padded frames never read.
// Grid (ceil(C/32), B), 256 threads: 32 channels × 8 time groups (t ≡ group mod 8), groups added in order.
VAVL_KERNEL void vavl_masked_mean_pool(const float* x, const int* lengths, float* out, int T, int C) {
    __shared__ double part[VAVL_POOL_GROUPS][VAVL_POOL_COLS];
    int lane = threadIdx.x % VAVL_POOL_COLS, grp = threadIdx.x / VAVL_POOL_COLS;
    int c = blockIdx.x * VAVL_POOL_COLS + lane;
    int b = blockIdx.y;
    int L = lengths[b];
    double s = 0.0;
    if (c < C) {
        const float* xb = x + (long long)b * T * C + c;
        for (int t = grp; t < L; t += VAVL_POOL_GROUPS) s += (double)xb[(long long)t * C];
    }
    part[grp][lane] = s;
    __syncthreads();
    if (grp == 0 && c < C) {
        double total = 0.0;
        for (int g = 0; g < VAVL_POOL_GROUPS; g++) total += part[g][lane];
        out[(long long)b * C + c] = (float)(total / L);
    }
}

// dx[b, t, c] += dOut[b, c]·(1/L_b) at valid frames (fused multiply-add with the float 1/L_b, as the CPU);
// padded frames untouched. Grid-stride over n = B*T*C < 2^31
// (32-bit index; grid capped as in elementwise.cu).
VAVL_KERNEL void vavl_masked_mean_pool_backward(const float* dOut, const int* lengths, float* dx, int n, int T,
                                                int C) {
    for (unsigned i = blockIdx.x * blockDim.x + threadIdx.x; i < (unsigned)n; i += gridDim.x * blockDim.x) {
        unsigned r = i / (unsigned)C, c = i % (unsigned)C;
        unsigned b = r / (unsigned)T, t = r % (unsigned)T;
        int L = lengths[b];
        if ((int)t < L) dx[i] = fmaf(1.f / (float)L, dOut[b * (unsigned)C + c], dx[i]);
    }
}
