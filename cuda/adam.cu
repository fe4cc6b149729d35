#include "common.cuh"

// Adam over every parameter in one launch (multi-tensor), torch.optim.Adam semantics with L2 weight
// decay added to the gradient, all arithmetic in double as the CPU reference.
//
// The table (uploaded by CudaAdam, 8-byte words, little-endian):
//   words 0..7                 lr, beta1, beta2, eps, weightDecay (doubles), 3 unused
//   words 8 + 8p .. 8 + 8p + 7 parameter p: value, grad, m, v (device addresses), count (u64),
//                              1 − beta1^t, 1 − beta2^t (doubles, t = this parameter's step), unused
//   then, as int32 pairs       chunk q: parameter index, first element
// Block q updates elements [first, min(count, first + chunk)) of its parameter.

VAVL_KERNEL void vavl_adam(const float* table, int params, int chunk) {
    const double* hyper = reinterpret_cast<const double*>(table);
    const u64* words = reinterpret_cast<const u64*>(table);
    const int* chunks = reinterpret_cast<const int*>(words + 8 + 8LL * params);
    int p = chunks[2 * blockIdx.x];
    long long first = chunks[2 * blockIdx.x + 1];
    const u64* e = words + 8 + 8LL * p;
    const double* ed = reinterpret_cast<const double*>(e);
    float* theta = reinterpret_cast<float*>(e[0]);
    const float* grad = reinterpret_cast<const float*>(e[1]);
    float* m = reinterpret_cast<float*>(e[2]);
    float* v = reinterpret_cast<float*>(e[3]);
    long long count = (long long)e[4];
    double bc1 = ed[5], bc2 = ed[6];
    double lr = hyper[0], b1 = hyper[1], b2 = hyper[2], eps = hyper[3], wd = hyper[4];
    long long end = first + chunk < count ? first + chunk : count;
    for (long long i = first + threadIdx.x; i < end; i += blockDim.x) {
        double th = (double)theta[i];
        double g = (double)grad[i] + wd * th;
        double mi = b1 * (double)m[i] + (1.0 - b1) * g;
        double vi = b2 * (double)v[i] + (1.0 - b2) * g * g;
        m[i] = (float)mi;
        v[i] = (float)vi;
        theta[i] = (float)(th - lr * (mi / bc1) / (sqrt(vi / bc2) + eps));
    }
}
