#include "common.cuh"

// Depthwise convolution along time of z [B, T, C] with weight [C, K], "same" zero padding
// (half = (K−1)/2 frames before), no bias:  out[b,t,c] = Σ_k w[c,k]·z[b, t+k−half, c].

#define VAVL_CONV_COLS 32
#define VAVL_CONV_GROUPS 8  // blockDim.x == VAVL_CONV_COLS * VAVL_CONV_GROUPS for the dW partial kernel

// One thread per output element; sums over k in order from 0 as the CPU.
VAVL_KERNEL void vavl_depthwise_conv(const float* z, const float* w, float* out, int B, int T, int C, int K) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long long)B * T * C) return;
    int c = (int)(i % C);
    long long r = i / C;
    int t = (int)(r % T);
    long long base = (r - t) * C + c;  // (b*T + 0)*C + c
    int half = (K - 1) / 2;
    float acc = 0.f;
    for (int k = 0; k < K; k++) {
        int s = t + k - half;
        if (s < 0 || s >= T) continue;
        acc += w[(long long)c * K + k] * z[base + (long long)s * C];
    }
    out[i] = acc;
}

// dz[b,s,c] = Σ_k w[c,k]·dOut[b, s−k+half, c] (overwritten).
VAVL_KERNEL void vavl_depthwise_conv_backward_dz(const float* dOut, const float* w, float* dz, int B, int T, int C,
                                                 int K) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long long)B * T * C) return;
    int c = (int)(i % C);
    long long r = i / C;
    int s = (int)(r % T);
    long long base = (r - s) * C + c;
    int half = (K - 1) / 2;
    float acc = 0.f;
    for (int k = 0; k < K; k++) {
        int t = s - k + half;
        if (t < 0 || t >= T) continue;
        acc += w[(long long)c * K + k] * dOut[base + (long long)t * C];
    }
    dz[i] = acc;
}

// Per-sample partial of dW in double: partial[b][j] = Σ_t dOut[b,t,c]·z[b,t+k−half,c] with j = k·C + c
// (consecutive threads read consecutive channels). Grid (ceil(K·C/32), B), 256 threads.
VAVL_KERNEL void vavl_depthwise_conv_dw_partial(const float* dOut, const float* z, float* partial, int T, int C,
                                                int K) {
    __shared__ double acc[VAVL_CONV_GROUPS][VAVL_CONV_COLS];
    int lane = threadIdx.x % VAVL_CONV_COLS, grp = threadIdx.x / VAVL_CONV_COLS;
    int j = blockIdx.x * VAVL_CONV_COLS + lane;
    int b = blockIdx.y;
    int KC = K * C;
    double s = 0.0;
    if (j < KC) {
        int k = j / C, c = j % C;
        int half = (K - 1) / 2;
        long long base = (long long)b * T * C + c;
        int t0 = max(0, half - k), t1 = min(T, T + half - k);  // t with 0 <= t+k−half < T
        for (int t = t0 + grp; t < t1; t += VAVL_CONV_GROUPS) {
            s += (double)dOut[base + (long long)t * C] * (double)z[base + (long long)(t + k - half) * C];
        }
    }
    acc[grp][lane] = s;
    __syncthreads();
    if (grp == 0 && j < KC) {
        double tot = 0.0;
        for (int g = 0; g < VAVL_CONV_GROUPS; g++) tot += acc[g][lane];
        reinterpret_cast<double*>(partial)[(long long)b * KC + j] = tot;
    }
}

// dW[c,k] += Σ_b partial[b][k·C + c] (in sample order).
VAVL_KERNEL void vavl_depthwise_conv_dw_finish(const float* partial, float* dw, int B, int C, int K) {
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    int KC = K * C;
    if (j >= KC) return;
    const double* p = reinterpret_cast<const double*>(partial);
    double s = 0.0;
    for (int b = 0; b < B; b++) s += p[(long long)b * KC + j];
    int k = j / C, c = j % C;
    dw[(long long)c * K + k] += (float)s;
}
