#include "common.cuh"
// Relative-position multi-head attention with key masking (spec §3), forward and backward; the CPU
// reference is dev.vavl4j.backend.cpu.CpuAttention, reproduced here element for element.
//
// Layout: q, k, v, ctx [B, T, d] with head h in columns [h·dh, (h+1)·dh); pos [2T−1, d] with row
// (i − j) + T − 1; u, vb [H, dh]; probs [B, H, T, T] (pre-dropout); lengths int32 [B].
//   score_ij = ((q_i+u)·k_j + (q_i+vb)·pos_(i−j)) · scale, keys j ≥ L masked, softmax over j,
//   a'_ij = dropout(a_ij) with element index ((b·H+h)·T+i)·T+j (the index of a_ij in probs),
//   ctx_i = Σ_j a'_ij v_j.
// Padded query rows (i ≥ L) are computed like any other row (as the CPU does).
//
// Backward, deterministic (no atomics), four launches:
//   rows  (b,h,i):  g_j = (dctx_i·v_j)·mult_ij, rowDot = Σ_j a_ij g_j, ds_ij = a_ij (g_j − rowDot)·scale
//                   -> dS scratch [B,H,T,T]; dq_i = Σ_j ds_ij (k_j + pos_(i−j)); dqu_i, dqv_i -> scratch
//   kv    (b,h,j):  dk_j = Σ_i ds_ij (q_i+u), dv_j = Σ_i a_ij mult_ij dctx_i
//   pos   (r,h):    dpos_r = Σ_b Σ_{i−j=r−T+1} ds_ij (q_i+vb)
//   bias  (column): du += Σ_{b,i} dqu_i, dvb += Σ_{b,i} dqv_i (double sums, fixed order)

// The dropout multiplier of one probability: 0 or keep = 1/(1−p) (computed on the host as the CPU does).
__device__ __forceinline__ float vavl_att_mult(float p, float keep, u64 seed, u64 index) {
    if (p <= 0.f) return 1.f;
    return vavl_uniform(seed, index) < p ? 0.f : keep;
}

__device__ __forceinline__ int vavl_att_length(const int* lengths, int b, int T) {
    return min(max(lengths[b], 0), T);
}

// grid (T, H, B), block a multiple of 32 (128); dynamic shared (2·dh + T) floats.
VAVL_KERNEL void vavl_relpos_attn_fwd(const float* q, const float* k, const float* v, const float* pos,
                                      const float* u, const float* vb, const int* lengths, int T, int H, int d,
                                      float scale, float p, float keep, u64 seed, float* probs, float* ctx) {
    __shared__ float red[32];
    DYNAMIC_SHARED(float, sm);
    const int i = blockIdx.x, h = blockIdx.y, b = blockIdx.z;
    const int dh = d / H, tid = threadIdx.x, nt = blockDim.x;
    const int lane = tid & 31, warp = tid >> 5, nw = nt >> 5;
    const int L = vavl_att_length(lengths, b, T);
    float* qu = sm;
    float* qv = sm + dh;
    float* e = sm + 2 * dh;

    const float* qrow = q + (size_t)(b * T + i) * d + h * dh;
    for (int c = tid; c < dh; c += nt) {
        float x = qrow[c];
        qu[c] = x + u[h * dh + c];
        qv[c] = x + vb[h * dh + c];
    }
    __syncthreads();

    // Scores: one warp per key, lanes over the head's columns.
    for (int j = warp; j < L; j += nw) {
        const float* kr = k + (size_t)(b * T + j) * d + h * dh;
        const float* pr = pos + (size_t)(i - j + T - 1) * d + h * dh;
        float s1 = 0.f, s2 = 0.f;
        for (int c = lane; c < dh; c += 32) {
            s1 += qu[c] * kr[c];
            s2 += qv[c] * pr[c];
        }
        s1 = warp_sum(s1);
        s2 = warp_sum(s2);
        if (lane == 0) e[j] = (s1 + s2) * scale;
    }
    __syncthreads();

    float m = -3.402823466e+38f;
    for (int j = tid; j < L; j += nt) m = fmaxf(m, e[j]);
    m = block_max(m, red);
    float sum = 0.f;
    for (int j = tid; j < L; j += nt) {
        float x = expf(e[j] - m);
        e[j] = x;
        sum += x;
    }
    sum = block_sum(sum, red);  // ends with a barrier: every e[j] is written

    const u64 rowIndex = (u64)((b * H + h) * T + i) * (u64)T;
    float* prow = probs + rowIndex;
    for (int j = tid; j < T; j += nt) {
        float a = j < L ? e[j] / sum : 0.f;
        prow[j] = a;
        e[j] = j < L ? a * vavl_att_mult(p, keep, seed, rowIndex + (u64)j) : 0.f;
    }
    __syncthreads();

    float* crow = ctx + (size_t)(b * T + i) * d + h * dh;
    for (int c = tid; c < dh; c += nt) {
        const float* vc = v + (size_t)(b * T) * d + h * dh + c;
        float acc = 0.f;
        for (int j = 0; j < L; j++) acc += e[j] * vc[(size_t)j * d];
        crow[c] = acc;
    }
}

// grid (T, H, B), block a multiple of 32 (128); dynamic shared (3·dh + 2·T) floats.
// Writes dS [B,H,T,T] whole (0 at masked keys), dq rows, and dqu, dqv [B,T,d] for the bias gradients.
VAVL_KERNEL void vavl_relpos_attn_bwd_rows(const float* dctx, const float* q, const float* k, const float* v,
                                           const float* pos, const float* u, const float* vb, const int* lengths,
                                           int T, int H, int d, float scale, float p, float keep, u64 seed,
                                           const float* probs, float* dS, float* dq, float* dqu, float* dqv) {
    __shared__ double redd[32];
    DYNAMIC_SHARED(float, sm);
    const int i = blockIdx.x, h = blockIdx.y, b = blockIdx.z;
    const int dh = d / H, tid = threadIdx.x, nt = blockDim.x;
    const int lane = tid & 31, warp = tid >> 5, nw = nt >> 5;
    const int L = vavl_att_length(lengths, b, T);
    float* dc = sm;
    float* g = sm + dh;
    float* ds = sm + dh + T;
    float* qu = sm + dh + 2 * T;
    float* qv = qu + dh;

    const size_t qi = (size_t)(b * T + i) * d + h * dh;
    for (int c = tid; c < dh; c += nt) {
        float x = q[qi + c];
        dc[c] = dctx[qi + c];
        qu[c] = x + u[h * dh + c];
        qv[c] = x + vb[h * dh + c];
    }
    __syncthreads();

    const u64 rowIndex = (u64)((b * H + h) * T + i) * (u64)T;
    const float* prow = probs + rowIndex;
    // g_j = (dctx_i · v_j) · mult_ij: one warp per key.
    for (int j = warp; j < L; j += nw) {
        const float* vr = v + (size_t)(b * T + j) * d + h * dh;
        float s = 0.f;
        for (int c = lane; c < dh; c += 32) s += dc[c] * vr[c];
        s = warp_sum(s);
        if (lane == 0) g[j] = s * vavl_att_mult(p, keep, seed, rowIndex + (u64)j);
    }
    __syncthreads();

    double part = 0.0;
    for (int j = tid; j < L; j += nt) part += (double)prow[j] * (double)g[j];
    const double rowDot = block_sum_d(part, redd);

    float* dsrow = dS + rowIndex;
    for (int j = tid; j < T; j += nt) {
        float x = j < L ? (float)((double)prow[j] * ((double)g[j] - rowDot)) * scale : 0.f;
        ds[j] = x;
        dsrow[j] = x;
    }
    __syncthreads();

    for (int c = tid; c < dh; c += nt) {
        const float* kc = k + (size_t)(b * T) * d + h * dh + c;
        const float* pc = pos + h * dh + c;
        float au = 0.f, av = 0.f;
        for (int j = 0; j < L; j++) {
            float x = ds[j];
            au += x * kc[(size_t)j * d];
            av += x * pc[(size_t)(i - j + T - 1) * d];
        }
        dq[qi + c] = au + av;
        dqu[qi + c] = au;
        dqv[qi + c] = av;
    }
}

// grid (T, H, B) over keys j, block a multiple of 32; dynamic shared 2·T floats. dk, dv rows overwritten.
VAVL_KERNEL void vavl_relpos_attn_bwd_kv(const float* dctx, const float* q, const float* u, const int* lengths,
                                         int T, int H, int d, float p, float keep, u64 seed, const float* probs,
                                         const float* dS, float* dk, float* dv) {
    DYNAMIC_SHARED(float, sm);
    const int j = blockIdx.x, h = blockIdx.y, b = blockIdx.z;
    const int dh = d / H, tid = threadIdx.x, nt = blockDim.x;
    const int L = vavl_att_length(lengths, b, T);
    float* dsc = sm;
    float* ac = sm + T;
    const size_t kj = (size_t)(b * T + j) * d + h * dh;
    const bool live = j < L;  // the same for the whole block
    if (live) {
        for (int i = tid; i < T; i += nt) {
            u64 idx = (u64)((b * H + h) * T + i) * (u64)T + (u64)j;
            dsc[i] = dS[idx];
            ac[i] = probs[idx] * vavl_att_mult(p, keep, seed, idx);
        }
    }
    __syncthreads();
    for (int c = tid; c < dh; c += nt) {
        float ak = 0.f, av = 0.f;
        if (live) {
            const float* qc = q + (size_t)(b * T) * d + h * dh + c;
            const float* gc = dctx + (size_t)(b * T) * d + h * dh + c;
            const float uc = u[h * dh + c];
            for (int i = 0; i < T; i++) {
                ak += dsc[i] * (qc[(size_t)i * d] + uc);
                av += ac[i] * gc[(size_t)i * d];
            }
        }
        dk[kj + c] = ak;
        dv[kj + c] = av;
    }
}

// grid (2T−1, H), block a multiple of 32. dpos rows overwritten: dpos_r = Σ_b Σ_{i−j=r−T+1, j<L} ds_ij (q_i+vb).
VAVL_KERNEL void vavl_relpos_attn_bwd_pos(const float* q, const float* vb, const int* lengths, int B, int T,
                                          int H, int d, const float* dS, float* dpos) {
    const int r = blockIdx.x, h = blockIdx.y;
    const int dh = d / H, tid = threadIdx.x, nt = blockDim.x;
    const int off = r - (T - 1);  // i − j
    for (int c = tid; c < dh; c += nt) {
        const float vc = vb[h * dh + c];
        float acc = 0.f;
        for (int b = 0; b < B; b++) {
            const int L = vavl_att_length(lengths, b, T);
            const int lo = max(off, 0), hi = min(T - 1, L - 1 + off);
            const float* qc = q + (size_t)(b * T) * d + h * dh + c;
            const float* dsb = dS + (size_t)(b * H + h) * T * T;
            for (int i = lo; i <= hi; i++) {
                acc += dsb[(size_t)i * T + (i - off)] * (qc[(size_t)i * d] + vc);
            }
        }
        dpos[(size_t)r * d + h * dh + c] = acc;
    }
}

#define VAVL_ATTN_BIAS_COLS 32
#define VAVL_ATTN_BIAS_GROUPS 8  // blockDim.x == VAVL_ATTN_BIAS_COLS * VAVL_ATTN_BIAS_GROUPS (CudaAttention reads both)

// grid (ceil(d/32), 2), block 256 (32 columns × 8 row groups). du[c] += Σ_rows dqu[row, c] (y = 0), and
// dvb[c] += Σ_rows dqv[row, c] (y = 1); double sums in a fixed order.
VAVL_KERNEL void vavl_relpos_attn_bwd_bias(const float* dqu, const float* dqv, int rows, int d, float* du,
                                           float* dvb) {
    __shared__ double part[VAVL_ATTN_BIAS_GROUPS][VAVL_ATTN_BIAS_COLS];
    const int tx = threadIdx.x % VAVL_ATTN_BIAS_COLS, ty = threadIdx.x / VAVL_ATTN_BIAS_COLS;
    const int c = blockIdx.x * VAVL_ATTN_BIAS_COLS + tx;
    const float* src = blockIdx.y == 0 ? dqu : dqv;
    double acc = 0.0;
    if (c < d) {
        for (int r = ty; r < rows; r += VAVL_ATTN_BIAS_GROUPS) acc += (double)src[(size_t)r * d + c];
    }
    part[ty][tx] = acc;
    __syncthreads();
    if (ty == 0 && c < d) {
        double s = 0.0;
        for (int t = 0; t < VAVL_ATTN_BIAS_GROUPS; t++) s += part[t][tx];
        float* dst = blockIdx.y == 0 ? du : dvb;
        dst[c] += (float)s;
    }
}
