// Kernels of the emulator's self-test (build-emu.sh --selftest). Compiled into the emulator library
// too, so they are registered like the kernels of cuda/; they also compile with nvcc.
#include "../../cuda/common.cuh"

// Block reductions of common.cuh: every thread must get the block's sum and max.
VAVL_KERNEL void emu_selftest_block_sum(const float* x, float* sums, float* maxes, float* every, double* sumsD, int n) {
    __shared__ float scratch[32];
    __shared__ double scratchD[32];
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    float v = i < n ? x[i] : 0.f;
    float s = block_sum(v, scratch);
    float m = block_max(i < n ? x[i] : -1e30f, scratch);
    double d = block_sum_d((double)v, scratchD);
    every[i] = s;
    if (threadIdx.x == 0) {
        sums[blockIdx.x] = s;
        maxes[blockIdx.x] = m;
        sumsD[blockIdx.x] = d;
    }
}

// __shfl_down_sync on floats and __shfl_xor_sync on ints: out[warp] = warp sum, lanes[i] = index of lane i^1.
VAVL_KERNEL void emu_selftest_shuffle(const float* x, float* out, int* lanes) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    float v = x[i];
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    int other = __shfl_xor_sync(0xffffffffu, (int)threadIdx.x, 1);
    unsigned u = __shfl_xor_sync(0xffffffffu, (unsigned)i, 2);
    lanes[i] = other + (u == (unsigned)(i ^ 2) ? 0 : 100000);
    if ((threadIdx.x & 31) == 0) out[i / 32] = v;
}

// Dynamic shared memory: each block reverses its chunk of blockDim.x * perThread floats through it.
VAVL_KERNEL void emu_selftest_reverse(const float* x, float* y, int* misaligned, int perThread) {
    DYNAMIC_SHARED(float, buf);
    int n = blockDim.x * perThread;
    if ((reinterpret_cast<unsigned long long>(buf) & 15) != 0) misaligned[0] = 1;
    for (int j = threadIdx.x; j < n; j += blockDim.x) buf[j] = x[blockIdx.x * n + j];
    __syncthreads();
    for (int j = threadIdx.x; j < n; j += blockDim.x) y[blockIdx.x * n + j] = buf[n - 1 - j];
}

VAVL_KERNEL void emu_selftest_atomic(float* acc, double* accD) {
    atomicAdd(acc, 1.f);
    atomicAdd(accD, 0.5);
}

// Every index of a 3-D grid of 3-D blocks writes its own slot.
VAVL_KERNEL void emu_selftest_index(int* out) {
    int b = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
    int t = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
    out[b * (blockDim.x * blockDim.y * blockDim.z) + t] = b * 1000 + t;
}

// __syncthreads at two different places: an error.
VAVL_KERNEL void emu_selftest_divergent(float* y) {
    if (threadIdx.x < 16) {
        __syncthreads();
        y[threadIdx.x] = 1.f;
    } else {
        __syncthreads();
        y[threadIdx.x] = 2.f;
    }
}

// Half a warp shuffles while the other half waits at __syncthreads: a deadlock.
VAVL_KERNEL void emu_selftest_deadlock(float* y) {
    float v = 1.f;
    if (threadIdx.x < 16) v = warp_sum(v);
    else __syncthreads();
    y[threadIdx.x] = v;
}

// Threads past n exit; the rest synchronise (they are all the unfinished threads, so it releases).
VAVL_KERNEL void emu_selftest_early_exit(float* y, int n) {
    __shared__ float s[1024];
    if ((int)threadIdx.x >= n) return;
    s[threadIdx.x] = (float)threadIdx.x;
    __syncthreads();
    y[threadIdx.x] = s[n - 1 - threadIdx.x];
}

// One thread writes y[index] = v (for the out-of-bounds checks).
VAVL_KERNEL void emu_selftest_write(float* y, int index, float v) {
    if (threadIdx.x == 0 && blockIdx.x == 0) y[index] = v;
}

// y[i] = a * x[i] + y[i] over many threads (no barriers: the fast path).
VAVL_KERNEL void emu_selftest_axpy(const float* x, float* y, float a, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = a * x[i] + y[i];
}

// Shuffling from lanes that have exited reads garbage (NaN here) instead of a silent own value.
VAVL_KERNEL void emu_selftest_exited_lane(float* y) {
    if (threadIdx.x >= 16) return;
    y[threadIdx.x] = __shfl_xor_sync(0xffffffffu, 1.f, 16) + __shfl_xor_sync(0xffffffffu, 2.f, 1);
}
