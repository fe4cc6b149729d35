#include "common.cuh"

// Task and reconstruction losses, computed in double like the CPU reference (CpuLosses). Each writes the
// scaled gradient and leaves the loss as one double in a small device buffer (passed as float*, read
// back by the host as two floats). Every sum runs in a fixed order, so the results are deterministic.
// Doubles travel in float* buffers (kernel arguments are float pointers); buffers are 8-byte aligned.

// Cross-entropy of softmax(logits[r, :]) against the first argmax of targets[r, :], one thread per row:
// rowLoss[r] = lse_r − logits[r, target] (double), d[r, c] = scale·(softmax − onehot)/n (overwritten).
VAVL_KERNEL void vavl_ce_argmax_rows(const float* logits, const float* targets, float scale, float* d,
                                     float* rowLoss, int n, int C) {
    int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= n) return;
    long long o = (long long)r * C;
    int target = 0;
    for (int c = 1; c < C; c++) {
        if (targets[o + c] > targets[o + target]) target = c;
    }
    double mx = -INFINITY;
    for (int c = 0; c < C; c++) {
        double v = (double)logits[o + c];
        if (v > mx) mx = v;
    }
    double sum = 0.0;
    for (int c = 0; c < C; c++) sum += exp((double)logits[o + c] - mx);
    double lse = mx + log(sum);
    reinterpret_cast<double*>(rowLoss)[r] = lse - (double)logits[o + target];
    for (int c = 0; c < C; c++) {
        double prob = exp((double)logits[o + c] - lse);
        d[o + c] = (float)((double)scale * (prob - (c == target ? 1.0 : 0.0)) / (double)n);
    }
}

// Class-weighted cross-entropy (three launches: weight sum, rows, finish), the CpuLosses arithmetic.
// Pass 1: wsum ← Σ_r weights[y_r] in row order (double), y_r the first argmax of targets[r, :], so every
// row's gradient can divide by it. Launch: 1 block of 1 thread (n is a batch, and the sum must be ordered).
VAVL_KERNEL void vavl_ce_weight_sum(const float* targets, const float* weights, float* wsum, int n, int C) {
    if (blockIdx.x != 0 || threadIdx.x != 0) return;
    double s = 0.0;
    for (int r = 0; r < n; r++) {
        long long o = (long long)r * C;
        int target = 0;
        for (int c = 1; c < C; c++) {
            if (targets[o + c] > targets[o + target]) target = c;
        }
        s += (double)weights[target];
    }
    reinterpret_cast<double*>(wsum)[0] = s;
}

// Pass 2, one thread per row: w = weights[y_r], rowLoss[r] = w·(lse_r − logits[r, y_r]) (double),
// d[r, c] = scale·w·(softmax − onehot)/wsum (overwritten). With w = 1 and wsum = n these are the bits of
// vavl_ce_argmax_rows. Pass 3 is vavl_loss_sum_div(rowLoss, n, wsum, out).
VAVL_KERNEL void vavl_ce_argmax_weighted_rows(const float* logits, const float* targets, const float* weights,
                                              const float* wsum, float scale, float* d, float* rowLoss, int n, int C) {
    int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= n) return;
    long long o = (long long)r * C;
    int target = 0;
    for (int c = 1; c < C; c++) {
        if (targets[o + c] > targets[o + target]) target = c;
    }
    double w = (double)weights[target];
    double W = reinterpret_cast<const double*>(wsum)[0];
    double mx = -INFINITY;
    for (int c = 0; c < C; c++) {
        double v = (double)logits[o + c];
        if (v > mx) mx = v;
    }
    double sum = 0.0;
    for (int c = 0; c < C; c++) sum += exp((double)logits[o + c] - mx);
    double lse = mx + log(sum);
    reinterpret_cast<double*>(rowLoss)[r] = w * (lse - (double)logits[o + target]);
    double sw = (double)scale * w;
    for (int c = 0; c < C; c++) {
        double prob = exp((double)logits[o + c] - lse);
        d[o + c] = (float)(sw * (prob - (c == target ? 1.0 : 0.0)) / W);
    }
}

// out = (Σ_i parts[i]) / divisor[0], all doubles, the parts added in index order by one thread.
// Launch: 1 block of 1 thread.
VAVL_KERNEL void vavl_loss_sum_div(const float* parts, int count, const float* divisor, float* out) {
    if (blockIdx.x != 0 || threadIdx.x != 0) return;
    const double* p = reinterpret_cast<const double*>(parts);
    double s = 0.0;
    for (int i = 0; i < count; i++) s += p[i];
    reinterpret_cast<double*>(out)[0] = s / reinterpret_cast<const double*>(divisor)[0];
}

// Partial sums of squares for sumOfSquares (gradient-norm clipping): partial[block] = Σ (double)x[i]² over
// the block's grid-stride elements, in double. Grid parts, blockDim a multiple of 32; the host then runs
// vavl_loss_sum_finish(partial, parts, 1, out), an ordered sum of the partials.
VAVL_KERNEL void vavl_sum_squares_partial(const float* x, float* partial, int count) {
    __shared__ double scratch[32];
    double s = 0.0;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (long long)count;
         i += (long long)gridDim.x * blockDim.x) {
        double v = (double)x[i];
        s += v * v;
    }
    s = block_sum_d(s, scratch);
    if (threadIdx.x == 0) reinterpret_cast<double*>(partial)[blockIdx.x] = s;
}

// out = (Σ_i parts[i]) / divisor, the parts (doubles) added one after another in index order by one
// thread. Launch: 1 block of 1 thread.
VAVL_KERNEL void vavl_loss_sum_finish(const float* parts, int count, int divisor, float* out) {
    if (blockIdx.x != 0 || threadIdx.x != 0) return;
    const double* p = reinterpret_cast<const double*>(parts);
    double s = 0.0;
    for (int i = 0; i < count; i++) s += p[i];
    reinterpret_cast<double*>(out)[0] = s / (double)divisor;
}

// Σ_c (1 − CCC_c) over the columns of pred, y [n, C] with biased statistics; a column whose denominator
// vp + vy + (mp − my)² is exactly zero counts CCC 0 with zero gradient. d ← scale·∂loss/∂pred
// (overwritten); out ← loss (double). One block (blockDim a multiple of 32): per column, block sums in
// double over the rows, then each thread writes the gradient of its rows.
VAVL_KERNEL void vavl_ccc_loss(const float* pred, const float* y, float scale, float* d, float* out, int n, int C) {
    __shared__ double scratch[32];
    double loss = 0.0;
    for (int c = 0; c < C; c++) {
        double sp = 0.0, sy = 0.0;
        for (int r = threadIdx.x; r < n; r += blockDim.x) {
            sp += (double)pred[(long long)r * C + c];
            sy += (double)y[(long long)r * C + c];
        }
        double mp = block_sum_d(sp, scratch) / n;
        double my = block_sum_d(sy, scratch) / n;
        double vp = 0.0, vy = 0.0, cov = 0.0;
        for (int r = threadIdx.x; r < n; r += blockDim.x) {
            double a = (double)pred[(long long)r * C + c] - mp, b = (double)y[(long long)r * C + c] - my;
            vp += a * a;
            vy += b * b;
            cov += a * b;
        }
        vp = block_sum_d(vp, scratch) / n;
        vy = block_sum_d(vy, scratch) / n;
        cov = block_sum_d(cov, scratch) / n;
        double denom = vp + vy + (mp - my) * (mp - my);
        if (denom == 0.0) {
            loss += 1.0;
            for (int r = threadIdx.x; r < n; r += blockDim.x) d[(long long)r * C + c] = 0.f;
            continue;
        }
        double ccc = 2.0 * cov / denom;
        loss += 1.0 - ccc;
        for (int r = threadIdx.x; r < n; r += blockDim.x) {
            long long i = (long long)r * C + c;
            double dCov = ((double)y[i] - my) / n;
            double dDen = 2.0 * ((double)pred[i] - mp) / n + 2.0 * (mp - my) / n;
            double dCcc = (2.0 * dCov * denom - 2.0 * cov * dDen) / (denom * denom);
            d[i] = (float)((double)(-scale) * dCcc);
        }
    }
    if (threadIdx.x == 0) reinterpret_cast<double*>(out)[0] = loss;
}

// Squared-error partial sums of mse: e = pred − target (double), d[i] = scale·2·e/count (overwritten),
// partial[block] = Σ e² over the block's grid-stride elements (double). Grid parts, blockDim multiple of 32.
VAVL_KERNEL void vavl_mse_partial(const float* pred, const float* target, float scale, float* d, float* partial,
                                  int count) {
    __shared__ double scratch[32];
    double s = 0.0;
    double s2 = (double)(scale * 2.f);
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (long long)count;
         i += (long long)gridDim.x * blockDim.x) {
        double e = (double)pred[i] - (double)target[i];
        s += e * e;
        d[i] = (float)(s2 * e / (double)count);
    }
    s = block_sum_d(s, scratch);
    if (threadIdx.x == 0) reinterpret_cast<double*>(partial)[blockIdx.x] = s;
}

// Fused reconstruction MSE, pass 1: for each entry (b, k) of recon [B, D], target = (float)(mean of
// input[b, t, k] over t < lengths[b], summed in double in t order, as the CPU's masked mean pool),
// e = recon − target, d = scale·2·e/(B·D) (overwritten), partial[block] = Σ e² (double). Pass 2 is
// vavl_loss_sum_finish. Grid parts, blockDim multiple of 32.
VAVL_KERNEL void vavl_recon_mse_partial(const float* recon, const float* input, const int* lengths, float scale,
                                        float* d, float* partial, int B, int T, int D) {
    __shared__ double scratch[32];
    long long count = (long long)B * D;
    double s = 0.0;
    double s2 = (double)(scale * 2.f);
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < count;
         i += (long long)gridDim.x * blockDim.x) {
        int b = (int)(i / D), k = (int)(i % D);
        int L = lengths[b];
        const float* xb = input + (long long)b * T * D + k;
        double m = 0.0;
        for (int t = 0; t < L; t++) m += (double)xb[(long long)t * D];
        float target = (float)(m / L);
        double e = (double)recon[i] - (double)target;
        s += e * e;
        d[i] = (float)(s2 * e / (double)count);
    }
    s = block_sum_d(s, scratch);
    if (threadIdx.x == 0) reinterpret_cast<double*>(partial)[blockIdx.x] = s;
}
