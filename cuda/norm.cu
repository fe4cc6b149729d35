#include "common.cuh"

// LayerNorm (one warp per row) and masked BatchNorm + swish (column reductions over valid frames).
//
// Column sums over rows (dWeight/dBias of LayerNorm, batch statistics and the BatchNorm backward sums)
// are deterministic and use no atomics: a partial kernel on a grid (ceil(cols/32), parts) of 256
// threads (32 columns x 8 row groups) writes one double pair per (part, column) into a scratch buffer
// laid out as [parts][cols][2] doubles, and a finish kernel sums the parts in order.

#define VAVL_NORM_COLS 32
#define VAVL_NORM_GROUPS 8  // blockDim.x == VAVL_NORM_COLS * VAVL_NORM_GROUPS for the partial kernels

// Reduces the (a, b) pairs of the 8 row groups of each column in a fixed order and writes them as
// partial[(part * cols + c) * 2 + {0, 1}]. Called by all threads of the block.
__device__ __forceinline__ void vavl_norm_store_partial(double a, double b, double* partial, int part, int c,
                                                        int cols) {
    __shared__ double sa[VAVL_NORM_GROUPS][VAVL_NORM_COLS];
    __shared__ double sb[VAVL_NORM_GROUPS][VAVL_NORM_COLS];
    int lane = threadIdx.x % VAVL_NORM_COLS, grp = threadIdx.x / VAVL_NORM_COLS;
    sa[grp][lane] = a;
    sb[grp][lane] = b;
    __syncthreads();
    if (grp == 0 && c < cols) {
        double ta = 0.0, tb = 0.0;
        for (int g = 0; g < VAVL_NORM_GROUPS; g++) {
            ta += sa[g][lane];
            tb += sb[g][lane];
        }
        partial[((long long)part * cols + c) * 2] = ta;
        partial[((long long)part * cols + c) * 2 + 1] = tb;
    }
}

// ------------------------------------------------------------------ LayerNorm

// Statistics and output of one row by one warp; sum may alias x, y may alias the row read.
__device__ __forceinline__ void vavl_ln_row(const float* xr, const float* w, const float* b, float eps, float* yr,
                                            float* mean, float* rstd, int row, int cols, int lane) {
    float s = 0.f;
    for (int c = lane; c < cols; c += 32) s += xr[c];
    s = warp_sum(s);
    float mu = s / (float)cols;
    float v = 0.f;
    for (int c = lane; c < cols; c += 32) {
        float d = xr[c] - mu;
        v += d * d;
    }
    v = warp_sum(v);
    float rs = 1.f / sqrtf(v / (float)cols + eps);
    if (lane == 0) {
        mean[row] = mu;
        rstd[row] = rs;
    }
    for (int c = lane; c < cols; c += 32) yr[c] = (xr[c] - mu) * rs * w[c] + b[c];
}

// y = LayerNorm(x) row-wise with biased variance; mean and rstd [rows] saved. One warp per row.
VAVL_KERNEL void vavl_layer_norm(const float* x, const float* w, const float* b, float eps, float* y, float* mean,
                                 float* rstd, int rows, int cols) {
    int lane = threadIdx.x & 31;
    int row = blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    if (row >= rows) return;  // whole warps only; no block barriers below
    long long o = (long long)row * cols;
    vavl_ln_row(x + o, w, b, eps, y + o, mean, rstd, row, cols, lane);
}

// sum = x + scale*branch (written), then y = LayerNorm(sum). One warp per row.
VAVL_KERNEL void vavl_residual_layer_norm(const float* x, const float* branch, float scale, const float* w,
                                          const float* b, float eps, float* sum, float* y, float* mean,
                                          float* rstd, int rows, int cols) {
    int lane = threadIdx.x & 31;
    int row = blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    if (row >= rows) return;
    long long o = (long long)row * cols;
    for (int c = lane; c < cols; c += 32) sum[o + c] = x[o + c] + scale * branch[o + c];
    vavl_ln_row(sum + o, w, b, eps, y + o, mean, rstd, row, cols, lane);
}

// dx += dLN/dx row-wise. One warp per row.
VAVL_KERNEL void vavl_layer_norm_backward_dx(const float* dy, const float* x, const float* w, const float* mean,
                                             const float* rstd, float* dx, int rows, int cols) {
    int lane = threadIdx.x & 31;
    int row = blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    if (row >= rows) return;
    long long o = (long long)row * cols;
    float mu = mean[row], rs = rstd[row];
    float sg = 0.f, sgx = 0.f;
    for (int c = lane; c < cols; c += 32) {
        float g = dy[o + c] * w[c];
        sg += g;
        sgx += g * ((x[o + c] - mu) * rs);
    }
    sg = warp_sum(sg) / (float)cols;
    sgx = warp_sum(sgx) / (float)cols;
    for (int c = lane; c < cols; c += 32) {
        float xh = (x[o + c] - mu) * rs;
        float g = dy[o + c] * w[c];
        dx[o + c] += rs * (g - sg - xh * sgx);
    }
}

// Partial column sums of (dy*xhat, dy) over rows [part*rowsPerPart, +rowsPerPart).
// Grid (ceil(cols/32), parts), 256 threads.
VAVL_KERNEL void vavl_layer_norm_backward_partial(const float* dy, const float* x, const float* mean,
                                                  const float* rstd, float* partial, int rows, int cols,
                                                  int rowsPerPart) {
    int lane = threadIdx.x % VAVL_NORM_COLS, grp = threadIdx.x / VAVL_NORM_COLS;
    int c = blockIdx.x * VAVL_NORM_COLS + lane;
    int part = blockIdx.y;
    int r0 = part * rowsPerPart, r1 = min(rows, r0 + rowsPerPart);
    double sw = 0.0, sb = 0.0;
    if (c < cols) {
        for (int r = r0 + grp; r < r1; r += VAVL_NORM_GROUPS) {
            long long i = (long long)r * cols + c;
            double g = (double)dy[i];
            sw += g * ((double)(x[i] - mean[r]) * (double)rstd[r]);
            sb += g;
        }
    }
    vavl_norm_store_partial(sw, sb, reinterpret_cast<double*>(partial), part, c, cols);
}

// acc0[c] += Σ_parts partial[p][c][0], acc1[c] += Σ_parts partial[p][c][1] (in part order); when total is
// not null the two sums are also stored there as doubles [cols][2]. acc0/acc1 may be null.
VAVL_KERNEL void vavl_norm_colsum_finish(const float* partial, int parts, int cols, float* total, float* acc0,
                                         float* acc1) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= cols) return;
    const double* p = reinterpret_cast<const double*>(partial);
    double a = 0.0, b = 0.0;
    for (int i = 0; i < parts; i++) {
        a += p[((long long)i * cols + c) * 2];
        b += p[((long long)i * cols + c) * 2 + 1];
    }
    if (total) {
        reinterpret_cast<double*>(total)[2 * c] = a;
        reinterpret_cast<double*>(total)[2 * c + 1] = b;
    }
    if (acc0) acc0[c] += (float)a;
    if (acc1) acc1[c] += (float)b;
}

// ------------------------------------------------------------------ masked BatchNorm

// Frame row r = b*T + t of [B, T, C] is valid iff t < lengths[b].
__device__ __forceinline__ bool vavl_valid_row(const int* lengths, int r, int T) {
    return r % T < lengths[r / T];
}

// Partial shifted sums Σ(x−K), Σ(x−K)² over the valid rows of [part*rowsPerPart, +rowsPerPart), in double;
// the shift K[c] = x[0, c] (frame (0, 0) is always valid) keeps the one-pass variance exact.
VAVL_KERNEL void vavl_batch_stats_partial(const float* x, const int* lengths, float* partial, int rows, int T,
                                          int cols, int rowsPerPart) {
    int lane = threadIdx.x % VAVL_NORM_COLS, grp = threadIdx.x / VAVL_NORM_COLS;
    int c = blockIdx.x * VAVL_NORM_COLS + lane;
    int part = blockIdx.y;
    int r0 = part * rowsPerPart, r1 = min(rows, r0 + rowsPerPart);
    double s1 = 0.0, s2 = 0.0;
    if (c < cols) {
        double k = (double)x[c];
        for (int r = r0 + grp; r < r1; r += VAVL_NORM_GROUPS) {
            if (!vavl_valid_row(lengths, r, T)) continue;
            double d = (double)x[(long long)r * cols + c] - k;
            s1 += d;
            s2 += d * d;
        }
    }
    vavl_norm_store_partial(s1, s2, reinterpret_cast<double*>(partial), part, c, cols);
}

// mean[c] and biased var[c] over n valid frames from the partial shifted sums.
VAVL_KERNEL void vavl_batch_stats_finish(const float* partial, int parts, const float* x, int cols, int n,
                                         float* mean, float* var) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= cols) return;
    const double* p = reinterpret_cast<const double*>(partial);
    double s1 = 0.0, s2 = 0.0;
    for (int i = 0; i < parts; i++) {
        s1 += p[((long long)i * cols + c) * 2];
        s2 += p[((long long)i * cols + c) * 2 + 1];
    }
    double m1 = s1 / n;
    double v = s2 / n - m1 * m1;
    mean[c] = (float)((double)x[c] + m1);
    var[c] = (float)(v > 0.0 ? v : 0.0);
}

// running ← (1−m)·running + m·batch, variance made unbiased by n/(n−1) (as the CPU, in double).
VAVL_KERNEL void vavl_update_running_stats(float* rm, float* rv, const float* mean, const float* var,
                                           float momentum, int n, int cols) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= cols) return;
    double unbias = (double)n / (n - 1);
    double mom = (double)momentum;
    rm[c] = (float)((1.0 - mom) * (double)rm[c] + mom * (double)mean[c]);
    rv[c] = (float)((1.0 - mom) * (double)rv[c] + mom * (double)var[c] * unbias);
}

// bn = (x − mean)·rsqrt(var + eps)·w + b, out = swish(bn), over all rows (elementwise).
VAVL_KERNEL void vavl_batch_norm_swish(const float* x, const float* mean, const float* var, const float* w,
                                       const float* b, float eps, float* bn, float* out, int rows, int cols) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long long)rows * cols) return;
    int c = (int)(i % cols);
    float rs = (float)(1.0 / sqrt((double)var[c] + (double)eps));
    float v = (x[i] - mean[c]) * rs * w[c] + b[c];
    bn[i] = v;
    out[i] = v * sigmoidf(v);
}

// swish'(x) = σ(x)·(1 + x·(1 − σ(x))).
__device__ __forceinline__ float vavl_swish_grad(float x) {
    float s = sigmoidf(x);
    return s * (1.f + x * (1.f - s));
}

// Partial sums of g = dOut·swish'(bn) and g·xhat over the valid rows of the part, in double.
VAVL_KERNEL void vavl_batch_norm_swish_backward_partial(const float* dOut, const float* x, const float* bn,
                                                        const float* mean, const float* var, float eps,
                                                        const int* lengths, float* partial, int rows, int T,
                                                        int cols, int rowsPerPart) {
    int lane = threadIdx.x % VAVL_NORM_COLS, grp = threadIdx.x / VAVL_NORM_COLS;
    int c = blockIdx.x * VAVL_NORM_COLS + lane;
    int part = blockIdx.y;
    int r0 = part * rowsPerPart, r1 = min(rows, r0 + rowsPerPart);
    double sg = 0.0, sgx = 0.0;
    if (c < cols) {
        double rs = 1.0 / sqrt((double)var[c] + (double)eps);
        float mu = mean[c];
        for (int r = r0 + grp; r < r1; r += VAVL_NORM_GROUPS) {
            if (!vavl_valid_row(lengths, r, T)) continue;
            long long i = (long long)r * cols + c;
            double g = (double)dOut[i] * (double)vavl_swish_grad(bn[i]);
            sg += g;
            sgx += g * (double)(x[i] - mu) * rs;
        }
    }
    vavl_norm_store_partial(sg, sgx, reinterpret_cast<double*>(partial), part, c, cols);
}

// dx ← w·rs·(g − ΣG/n − xhat·ΣGX/n) at valid frames, 0 at padded ones (overwritten); totals [cols][2]
// doubles (ΣG, ΣGX) from vavl_norm_colsum_finish.
VAVL_KERNEL void vavl_batch_norm_swish_backward_dx(const float* dOut, const float* x, const float* bn,
                                                   const float* mean, const float* var, const float* w, float eps,
                                                   const int* lengths, const float* totals, float* dx, int rows,
                                                   int T, int cols, int n) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long long)rows * cols) return;
    int c = (int)(i % cols);
    int r = (int)(i / cols);
    if (!vavl_valid_row(lengths, r, T)) {
        dx[i] = 0.f;
        return;
    }
    const double* tot = reinterpret_cast<const double*>(totals);
    double rs = 1.0 / sqrt((double)var[c] + (double)eps);
    double g = (double)dOut[i] * (double)vavl_swish_grad(bn[i]);
    double xh = (double)(x[i] - mean[c]) * rs;
    dx[i] = (float)((double)w[c] * rs * (g - tot[2 * c] / n - xh * tot[2 * c + 1] / n));
}
